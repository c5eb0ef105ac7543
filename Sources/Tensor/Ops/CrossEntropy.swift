#if canImport(Glibc)
import Glibc
#endif

extension Tensor {
    /// Mean negative log-likelihood of `targets` under softmax(`logits`), fused forward and backward.
    /// logits `[N, C]`, one class index per row; rows whose target is `ignoreIndex` count for nothing
    /// (the mean is over the other rows).
    public static func crossEntropy(logits: Tensor, targets: [Int], ignoreIndex: Int? = nil) -> Tensor {
        let (n, c) = check { () throws(TensorError) in
            guard logits.rank == 2, logits.shape[0] == targets.count else {
                throw .invalidShape(op: "crossEntropy", shape: logits.shape, expected: "[N, C] with one target per row (\(targets.count) targets)")
            }
            let c = logits.shape[1]
            if let bad = targets.first(where: { $0 != ignoreIndex && ($0 < 0 || $0 >= c) }) {
                throw .invalidArgument(op: "crossEntropy", message: "target \(bad) is not a class index in 0..<\(c)")
            }
            return (logits.shape[0], c)
        }
        let logProbabilities = withoutGradient { logits.logSoftmax() }
        let count = Float(Swift.max(targets.filter { $0 != ignoreIndex }.count, 1))
        let lp = logProbabilities.data
        var total: Double = 0
        for (row, t) in targets.enumerated() where t != ignoreIndex {
            total -= Double(lp[row * c + t])
        }
        let out = Tensor(Float(total) / count)
        out.record("crossEntropy", [logits]) { _, g in
            let scale = g.item / count
            let gx = Tensor(uninitialized: [n, c])
            let lp = logProbabilities.data, pg = gx.data
            for row in 0..<n {
                let t = targets[row]
                for j in 0..<c {
                    pg[row * c + j] = t == ignoreIndex ? 0 : scale * (expf(lp[row * c + j]) - (j == t ? 1 : 0))
                }
            }
            logits.accumulateGrad(gx, owned: true)
        }
        return out
    }
}
