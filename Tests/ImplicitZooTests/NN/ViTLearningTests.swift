import Testing
import Tensor
import NN
import Formats

/// A small ViT trained on real Fashion-MNIST photos from the Debian package.
@Suite struct ViTLearningTests {
    static let config: ViTConfiguration = {
        var c = ViTConfiguration()
        c.imageSize = 28
        c.patchSize = 7
        c.channels = 1
        c.dim = 48
        c.depth = 2
        c.heads = 3
        c.classes = 10
        return c
    }()

    /// Trains for `steps` batches and returns the losses and the model.
    static func train(seed: UInt64, steps: Int, data: FashionMNIST) -> ([Float], VisionTransformer) {
        var rng = RandomGenerator(seed: seed)
        let model = VisionTransformer(config, rng: &rng)
        let opt = Adam.adamW(ParameterGroup.decayingMatrices(model.namedParameters, learningRate: 2e-3, weightDecay: 0.01),
                             schedule: .warmupCosine(warmupSteps: 10, totalSteps: steps))
        var losses: [Float] = []
        let n = data.labels.count, batch = 64
        var order = rng.permutation(n)
        var cursor = 0
        for _ in 0..<steps {
            if cursor + batch > n { order = rng.permutation(n); cursor = 0 }
            let idx = Array(order[cursor..<(cursor + batch)])
            cursor += batch
            let x = data.images.indexSelect(axis: 0, idx)
            let loss = Loss.crossEntropy(model(x), targets: idx.map { data.labels[$0] })
            opt.zeroGrad()
            loss.backward()
            opt.step()
            losses.append(loss.item)
        }
        return (losses, model)
    }

    @Test func learnsWellAboveChance() throws {
        let train = try FashionMNIST(split: .train, limit: 3000)
        let test = try FashionMNIST(split: .test, limit: 1000)
        let (losses, model) = Self.train(seed: 1, steps: 300, data: train)
        let logits = withoutGradient { model(test.images) }
        let predictions = (0..<test.labels.count).map { row in
            (0..<10).max { logits[row, $0] < logits[row, $1] }!
        }
        let accuracy = Float(zip(predictions, test.labels).filter { $0 == $1 }.count) / Float(test.labels.count)
        let early = losses.prefix(10).reduce(0, +) / 10, late = losses.suffix(10).reduce(0, +) / 10
        #expect(late < early * 0.5, "loss fell from \(early) to \(late)")
        // Measured: loss 2.21 → 0.67, test accuracy 0.707 (chance 0.1).
        #expect(accuracy > 0.65, "test accuracy \(accuracy) (chance 0.1)")
    }

    /// Test accuracy of a model on `data`.
    static func accuracy(_ model: VisionTransformer, _ data: FashionMNIST) -> Float {
        let logits = withoutGradient { model(data.images) }
        let predictions = (0..<data.labels.count).map { row in (0..<10).max { logits[row, $0] < logits[row, $1] }! }
        return Float(zip(predictions, data.labels).filter { $0 == $1 }.count) / Float(data.labels.count)
    }

    /// bf16 matrix products (fp32 weights, sums and optimizer) train like fp32 from the same start.
    @Test(.enabled(if: CPUKernels.hasAVX512BF16, "this CPU has no AVX512-BF16"))
    func learnsAsWellWithBF16MatrixProducts() throws {
        let train = try FashionMNIST(split: .train, limit: 2000)
        let test = try FashionMNIST(split: .test, limit: 1000)
        let (exactLosses, exactModel) = try #require(Runtime.withMatmul(precision: .fp32) { Self.train(seed: 2, steps: 150, data: train) })
        let (losses, model) = try #require(Runtime.withMatmul(precision: .bf16) { Self.train(seed: 2, steps: 150, data: train) })
        #expect(losses != exactLosses)
        let late = losses.suffix(20).reduce(0, +) / 20, exactLate = exactLosses.suffix(20).reduce(0, +) / 20
        // Measured: the last 20 losses average 1.022 in bf16 and 1.030 in fp32; test accuracy 0.628 and 0.624.
        #expect(abs(late - exactLate) < 0.05 * exactLate, "bf16 \(late), fp32 \(exactLate)")
        let accuracy = Self.accuracy(model, test), exactAccuracy = Self.accuracy(exactModel, test)
        #expect(abs(accuracy - exactAccuracy) < 0.03, "bf16 \(accuracy), fp32 \(exactAccuracy)")
    }

    @Test(arguments: [1, 2])
    func sameSeedGivesIdenticalTraining(_ threads: Int) throws {
        try Runtime.withThreads(threads) {
            let data = try FashionMNIST(split: .train, limit: 256)
            let (a, modelA) = Self.train(seed: 9, steps: 6, data: data)
            let (b, modelB) = Self.train(seed: 9, steps: 6, data: data)
            #expect(a == b)
            #expect(modelA.head.weight.values == modelB.head.weight.values)
            let (c, _) = Self.train(seed: 10, steps: 6, data: data)
            #expect(a != c)
        }
    }
}
