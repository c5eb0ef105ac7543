import Testing
import Tensor
import NN
#if canImport(Glibc)
import Glibc
#endif

@Suite struct LayerTests {
    @Test func crossEntropyGradientAndIgnoreIndex() {
        var d = TestData()
        let logits = d.input([5, 7], -2, 2)
        let targets = [0, 6, 3, 3, 1]
        checkGradients([logits]) { Loss.crossEntropy($0[0], targets: targets) }
        checkGradients([logits]) { Loss.crossEntropy($0[0], targets: [0, 255, 3, 255, 1], ignoreIndex: 255) }
        let lsm = logits.logSoftmax()
        let expected = -(lsm[0, 0] + lsm[2, 3] + lsm[4, 1]) / 3
        let loss = Loss.crossEntropy(logits, targets: [0, 255, 3, 255, 1], ignoreIndex: 255).item
        #expect(Swift.abs(loss - expected) < 1e-5)
    }

    /// Against target distributions: finite-difference gradients on odd shapes, and a one-hot row
    /// gives the class-index form's value.
    @Test func crossEntropyAgainstDistributions() {
        var d = TestData()
        let logits = d.input([3, 5], -2, 2)
        let raw = d.input([3, 5], 0.1, 1).values
        let rows = (0..<3).map { r in Array(raw[(5 * r)..<(5 * r + 5)]) }
        let q = Tensor(shape: [3, 5], values: rows.flatMap { row in row.map { $0 / row.reduce(0, +) } })
        checkGradients([logits]) { Loss.crossEntropy($0[0], distributions: q) }
        let targets = [4, 0, 2]
        let oneHot = Tensor(shape: [3, 5], values: targets.flatMap { t in (0..<5).map { $0 == t ? Float(1) : 0 } })
        let soft = Loss.crossEntropy(logits, distributions: oneHot).item, hard = Loss.crossEntropy(logits, targets: targets).item
        #expect(Swift.abs(soft - hard) < 1e-5, "one-hot \(soft), class index \(hard)")
    }

    @Test func maskedMeanSquaredErrorCountsOnlyMaskedPositions() {
        let pred = Tensor(shape: [1, 3, 2], values: [1, 1, 2, 2, 3, 3], requiresGrad: true)
        let target = Tensor.zeros([1, 3, 2])
        let mask = Tensor(shape: [1, 3], values: [0, 1, 1])
        let loss = Loss.maskedMeanSquaredError(pred, target, mask: mask)
        #expect(loss.item == 6.5)  // ((2² + 2²)/2 + (3² + 3²)/2) / 2
        loss.backward()
        #expect(pred.grad!.values == [0, 0, 1, 1, 1.5, 1.5])
    }

    @Test func patchEmbeddingIsAStridedConvolution() {
        var rng = RandomGenerator(seed: 3)
        let embed = PatchEmbedding(channels: 2, patchSize: 3, dim: 4, rng: &rng)
        let images = Tensor.normal([2, 2, 6, 9], rng: &rng)
        let tokens = embed(images)
        #expect(tokens.shape == [2, 6, 4])
        // Conv2d(kernel = stride = 3) by hand, weight viewed as [out, c, kh, kw].
        let w = embed.projection.weight, bias = embed.projection.bias!
        for b in 0..<2 {
            for (t, (pr, pc)) in [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)].enumerated() {
                for o in 0..<4 {
                    var s = bias[o]
                    for c in 0..<2 { for i in 0..<3 { for j in 0..<3 {
                        s += w[o, c * 9 + i * 3 + j] * images[b, c, pr * 3 + i, pc * 3 + j]
                    } } }
                    #expect(Swift.abs(tokens[b, t, o] - s) < 1e-5)
                }
            }
        }
    }

    @Test func sinCosEmbeddings() {
        let e = SinCosEmbedding.threeDimensional(dim: 12, grid: 2)
        #expect(e.shape == [8, 12])
        // Token 5 = (z 1, y 0, x 1): first channel of each axis block is sin(position).
        #expect(Swift.abs(e[5, 0] - 0.841_470_98) < 1e-6 && e[5, 4] == 0 && Swift.abs(e[5, 8] - 0.841_470_98) < 1e-6)
        #expect(e[5, 2] == Float(cos(1.0)) && e[0, 2] == 1)
        let two = SinCosEmbedding.twoDimensional(dim: 8, grid: 3)
        #expect(two.shape == [9, 8])
    }

    @Test func dropoutOnlyWhenTraining() {
        let x = Tensor.ones([1000])
        let layer = Dropout(0.25)
        var eval = ForwardContext.inference
        #expect(layer(x, context: &eval) === x)
        var train = ForwardContext(training: true, rng: RandomGenerator(seed: 5))
        let y = layer(x, context: &train)
        let zeros = y.values.filter { $0 == 0 }.count
        #expect(zeros > 200 && zeros < 300)
        #expect(y.values.allSatisfy { $0 == 0 || Swift.abs($0 - 4.0 / 3) < 1e-6 })
    }

    @Test func transformerBlockGradients() {
        var rng = RandomGenerator(seed: 11)
        let block = TransformerBlock(dim: 6, heads: 2, mlpRatio: 2, rng: &rng)
        var d = TestData()
        let x = d.input([2, 5, 6])
        checkGradients([x] + block.parameters, atol: 3e-3) { inputs in block(inputs[0]) }
    }
}
