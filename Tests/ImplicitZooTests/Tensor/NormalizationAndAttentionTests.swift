import Testing
import NN
import Tensor

@Suite struct NormalizationAndAttentionTests {
    @Test func softmaxAndLogSoftmax() {
        var d = TestData()
        let x = d.input([3, 5, 7], -3, 3)
        #expect(checkGradients([x]) { $0[0].softmax() } <= 1)
        checkGradients([x]) { $0[0].softmax(axis: 1) }
        checkGradients([x]) { $0[0].logSoftmax() }
        checkGradients([x]) { $0[0].logSoftmax(axis: 0) }
        let rowSums = x.softmax().sum(axis: -1).values
        expectClose(rowSums, [Float](repeating: 1, count: 15), atol: 1e-6)
        expectClose(x.logSoftmax().exp().values, x.softmax().values, atol: 1e-6)
    }

    @Test func layerNorm() {
        var d = TestData()
        let x = d.input([3, 5, 37], -2, 2), w = d.input([37]), b = d.input([37])
        checkGradients([x, w, b]) { Tensor.layerNorm($0[0], weight: $0[1], bias: $0[2]) }
        checkGradients([x]) { Tensor.layerNorm($0[0], weight: nil, bias: nil, eps: 1e-6) }
        // The input's gradient added to one another path already left (a residual connection).
        checkGradients([x, w]) { $0[0] * 0.5 + Tensor.layerNorm($0[0], weight: $0[1], bias: nil) }
        let y = Tensor.layerNorm(x, weight: nil, bias: nil)
        let mean = y.mean(axis: -1).values, variance = y.squared().mean(axis: -1).values
        expectClose(mean, [Float](repeating: 0, count: 15), atol: 1e-6)
        expectClose(variance, [Float](repeating: 1, count: 15), atol: 1e-3)
    }

    @Test func layerNormSplitAcrossThreads() {
        var d = TestData()
        let x = d.input([300, 19]), w = d.input([19]), b = d.input([19])
        let single = Tensor.layerNorm(x, weight: w, bias: b)
        (single * x).sum().backward()
        let gw1 = w.grad!.values
        w.zeroGrad(); x.zeroGrad(); b.zeroGrad()
        let double = Runtime.withThreads(2) { Tensor.layerNorm(x, weight: w, bias: b) }
        Runtime.withThreads(2) { (double * x).sum().backward() }
        expectClose(double.values, single.values, atol: 1e-6)
        expectClose(w.grad!.values, gw1, atol: 1e-4)
    }

    /// Attention written with primitive ops, as in the PyTorch reference.
    func composed(_ qkv: Tensor, heads: Int, bias: Tensor? = nil) -> Tensor {
        let (b, t, d3) = (qkv.shape[0], qkv.shape[1], qkv.shape[2])
        let d = d3 / 3, hd = d / heads
        let split = qkv.reshaped(b, t, 3, heads, hd).permuted(2, 0, 3, 1, 4)   // [3, B, H, T, hd]
        let q = split.slice(axis: 0, 0..<1).reshaped(b, heads, t, hd)
        let k = split.slice(axis: 0, 1..<2).reshaped(b, heads, t, hd)
        let v = split.slice(axis: 0, 2..<3).reshaped(b, heads, t, hd)
        let scores = Tensor.matmul(q, k, transposeB: true) * (1 / Float(hd).squareRoot())
        let p = (bias.map { scores + $0.broadcast(to: scores.shape) } ?? scores).softmax()
        return Tensor.matmul(p, v).permuted(0, 2, 1, 3).reshaped(b, t, d)
    }

    @Test(arguments: [1, 2])
    func fusedAttentionMatchesComposition(_ threads: Int) {
        Runtime.withThreads(threads) {
            var d = TestData()
            let qkv = d.input([3, 7, 18], -2, 2)
            let fused = Tensor.attention(qkv: qkv, heads: 3)
            let reference = composed(qkv, heads: 3)
            expectClose(fused.values, reference.values, atol: 1e-5)

            let w = Tensor.uniform([3, 7, 6], low: -1, high: 1, rng: &d.rng)
            (fused * w).sum().backward()
            let gFused = qkv.grad!.values
            qkv.zeroGrad()
            (composed(qkv, heads: 3) * w).sum().backward()
            expectClose(gFused, qkv.grad!.values, atol: 1e-5)
            checkGradients([qkv]) { Tensor.attention(qkv: $0[0], heads: 3) }
        }
    }

    /// A constant bias on the scores, shared by the samples or one per sample: forward and
    /// gradients match the composition, and finite differences.
    @Test(arguments: [(1, 1), (1, 3), (2, 1), (2, 3)])
    func attentionWithABiasMatchesComposition(threads: Int, biasBatch: Int) {
        Runtime.withThreads(threads) {
            var d = TestData()
            let qkv = d.input([3, 7, 18], -2, 2)
            let bias = Tensor.uniform([biasBatch, 3, 7, 7], low: -3, high: 1, rng: &d.rng)
            let fused = Tensor.attention(qkv: qkv, heads: 3, bias: bias)
            expectClose(fused.values, composed(qkv, heads: 3, bias: bias).values, atol: 1e-5)
            #expect(zip(fused.values, Tensor.attention(qkv: qkv, heads: 3).values).contains { abs($0 - $1) > 1e-3 })

            let w = Tensor.uniform([3, 7, 6], low: -1, high: 1, rng: &d.rng)
            (fused * w).sum().backward()
            let gFused = qkv.grad!.values
            qkv.zeroGrad()
            (composed(qkv, heads: 3, bias: bias) * w).sum().backward()
            expectClose(gFused, qkv.grad!.values, atol: 1e-5)
            checkGradients([qkv]) { Tensor.attention(qkv: $0[0], heads: 3, bias: bias) }
        }
    }

    @Test func distanceBiasIsMinusSlopeTimesTokenDistance() {
        let bias = DistanceBias(slopes: [2, 0.5], side: 2)
        let all = bias.all()
        #expect(all.shape == [1, 2, 8, 8])
        // Token 0 is (0, 0, 0), token 7 is (1, 1, 1), token 5 is (z 1, y 0, x 1).
        #expect(abs(all[0, 0, 0, 7] + 2 * Float(3).squareRoot()) < 1e-6)
        #expect(abs(all[0, 1, 7, 0] + 0.5 * Float(3).squareRoot()) < 1e-6)
        #expect(abs(all[0, 0, 0, 5] + 2 * Float(2).squareRoot()) < 1e-6)
        #expect(all[0, 0, 3, 3] == 0 && all[0, 1, 0, 1] == -0.5)
    }

    @Test func offsetDistanceBiasCentresEachHeadOnItsSide() {
        // Side 3: token (x, y, z) is 9z + 3y + x. Head 0 looks one step along +x, head 1 two along −z.
        let all = DistanceBias(slopes: [2, 1], offsets: [SIMD3(1, 0, 0), SIMD3(0, 0, -2)], side: 3).all()
        #expect(all.shape == [1, 2, 27, 27])
        let centre = 13  // (1, 1, 1)
        #expect(all[0, 0, centre, 14] == 0 && all[0, 0, centre, centre] == -2 && all[0, 0, centre, 12] == -4)
        #expect(all[0, 0, centre, 17] == -2)  // (2, 2, 1): one off in y
        #expect(abs(all[0, 0, centre, 16] + 2 * Float(2).squareRoot()) < 1e-6)  // (1, 2, 1): one off in x and y
        // Two along −z from z = 1 is z = −1, outside: the nearest tokens, at z = 0, are one step away.
        #expect(all[0, 1, centre, 4] == -1 && all[0, 1, centre, 22] == -3)
        // The six axis heads, each nearest to its own neighbour.
        let axes = DistanceBias(slopes: Array(repeating: 1, count: 6), offsets: DistanceBias.axisOffsets(), side: 3).all()
        for (h, neighbour) in [14, 12, 16, 10, 22, 4].enumerated() {
            #expect(axes[0, h, centre, neighbour] == 0)
            #expect((0..<27).allSatisfy { axes[0, h, centre, $0] <= 0 })
        }
    }

    @Test func crossAttentionGradients() {
        var d = TestData()
        let q = d.input([2, 5, 6]), k = d.input([2, 3, 6]), v = d.input([2, 3, 6])
        checkGradients([q, k, v]) { Tensor.attention(query: $0[0], key: $0[1], value: $0[2], heads: 2) }
    }
}
