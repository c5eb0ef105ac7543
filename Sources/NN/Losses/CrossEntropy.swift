import Tensor
#if canImport(Glibc)
import Glibc
#endif

extension Loss {
    /// Mean negative log-likelihood of `targets` under softmax(`logits`), fused.
    /// logits `[N, C]`, one class index per row; rows whose target is `ignoreIndex` count for nothing.
    public static func crossEntropy(_ logits: Tensor, targets: [Int], ignoreIndex: Int? = nil) -> Tensor {
        precondition(logits.rank == 2 && logits.shape[0] == targets.count,
                     "[crossEntropy] logits \(logits.shape) need one target per row (got \(targets.count))")
        let (n, c) = (logits.shape[0], logits.shape[1])
        let valid = targets.filter { $0 != ignoreIndex }
        precondition(valid.allSatisfy { $0 >= 0 && $0 < c }, "[crossEntropy] targets must be class indices in 0..<\(c)")
        let logProbabilities = withoutGradient { logits.logSoftmax() }
        let count = Float(Swift.max(valid.count, 1))
        var total: Double = 0
        for (row, t) in targets.enumerated() where t != ignoreIndex {
            total -= Double(logProbabilities.data[row * c + t])
        }
        let out = Tensor(Float(total) / count)
        out.record("crossEntropy", [logits]) { _, g in
            let scale = g.item / count
            let gx = Tensor(uninitialized: [n, c])
            for row in 0..<n {
                let t = targets[row]
                for j in 0..<c {
                    if t == ignoreIndex {
                        gx.data[row * c + j] = 0
                    } else {
                        let p = expf(logProbabilities.data[row * c + j])
                        gx.data[row * c + j] = scale * (p - (j == t ? 1 : 0))
                    }
                }
            }
            logits.accumulateGrad(gx, owned: true)
        }
        return out
    }
}
