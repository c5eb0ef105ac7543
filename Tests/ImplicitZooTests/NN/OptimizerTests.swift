import Testing
import Tensor
import NN
#if canImport(Glibc)
import Glibc
#endif

@Suite struct OptimizerTests {
    /// One parameter p = [1, -2] with a fixed gradient g = [0.5, 0.25], two steps.
    func run(_ make: ([ParameterGroup]) -> Optimizer, steps: Int = 2) -> [Float] {
        let p = Tensor(shape: [2], values: [1, -2], requiresGrad: true)
        let opt = make([ParameterGroup([("p", p)], learningRate: 0.1, weightDecay: 0.5)])
        for _ in 0..<steps {
            setGradient(p, [0.5, 0.25])
            opt.step()
        }
        return p.values
    }

    /// Hand-computed Adam (L2 decay added to the gradient), in Double.
    func handAdam(decoupled: Bool) -> [Float] {
        var p: [Double] = [1, -2], m: [Double] = [0, 0], v: [Double] = [0, 0]
        let g: [Double] = [0.5, 0.25], lr = 0.1, wd = 0.5, b1 = 0.9, b2 = 0.999, eps = 1e-8
        for t in 1...2 {
            for i in 0..<2 {
                var gi = g[i]
                if decoupled { p[i] *= 1 - lr * wd } else { gi += wd * p[i] }
                m[i] = b1 * m[i] + (1 - b1) * gi
                v[i] = b2 * v[i] + (1 - b2) * gi * gi
                let mhat = m[i] / (1 - pow(b1, Double(t))), vhat = v[i] / (1 - pow(b2, Double(t)))
                p[i] -= lr * mhat / (vhat.squareRoot() + eps)
            }
        }
        return p.map(Float.init)
    }

    @Test func adamMatchesHandComputedSteps() {
        expectClose(run { Adam($0) }, handAdam(decoupled: false), atol: 1e-6)
    }

    @Test func adamWMatchesHandComputedSteps() {
        expectClose(run { Adam.adamW($0) }, handAdam(decoupled: true), atol: 1e-6)
    }

    @Test func sgdMomentumMatchesHandComputedSteps() {
        // buf1 = g + wd p0; p1 = p0 − lr buf1; buf2 = 0.9 buf1 + g + wd p1; p2 = p1 − lr buf2
        var p: [Double] = [1, -2], buf: [Double] = [0, 0]
        let g: [Double] = [0.5, 0.25]
        for t in 0..<2 {
            for i in 0..<2 {
                let d = g[i] + 0.5 * p[i]
                buf[i] = t == 0 ? d : 0.9 * buf[i] + d
                p[i] -= 0.1 * buf[i]
            }
        }
        expectClose(run { SGD($0, momentum: 0.9) }, p.map(Float.init), atol: 1e-6)
    }

    @Test func groupsHaveTheirOwnLearningRates() {
        let a = Tensor(shape: [1], values: [0], requiresGrad: true), b = Tensor(shape: [1], values: [0], requiresGrad: true)
        let opt = SGD([ParameterGroup([("a", a)], learningRate: 1), ParameterGroup([("b", b)], learningRate: 0.01)])
        setGradient(a, [1])
        setGradient(b, [1])
        opt.step()
        #expect(a.item == -1 && b.item == -0.01)
    }

    @Test func schedules() {
        let cos = LearningRateSchedule.cosine(totalSteps: 100, minimum: 0.1)
        #expect(cos.factor(at: 0) == 1)
        #expect(Swift.abs(cos.factor(at: 50) - 0.55) < 1e-6)
        #expect(Swift.abs(cos.factor(at: 100) - 0.1) < 1e-6)
        let warm = LearningRateSchedule.warmupCosine(warmupSteps: 9, totalSteps: 109)
        #expect(Swift.abs(warm.factor(at: 0) - 0.1) < 1e-6)
        #expect(warm.factor(at: 9) == 1)
        #expect(Swift.abs(warm.factor(at: 59) - 0.5) < 1e-6)
        let poly = LearningRateSchedule.polynomial(totalSteps: 10, power: 0.9)
        #expect(Swift.abs(poly.factor(at: 5) - powf(0.5, 0.9)) < 1e-6)
        #expect(poly.factor(at: 10) == 0)
    }

    @Test func gradientClipping() {
        let a = Tensor(shape: [2], values: [0, 0], requiresGrad: true)
        setGradient(a, [3, 4])
        let norm = clipGradientNorm([a], maxNorm: 1)
        #expect(Swift.abs(norm - 5) < 1e-5)
        expectClose(a.grad!.values, [0.6, 0.8], atol: 1e-5)
        clipGradientNorm([a], maxNorm: 10)
        expectClose(a.grad!.values, [0.6, 0.8], atol: 1e-5)
    }

    @Test func stateRestoresExactly() throws {
        var rng = RandomGenerator(seed: 1)
        let layer = Linear(5, 3, rng: &rng)
        func train(_ opt: Optimizer, steps: Int, data: inout RandomGenerator) {
            for _ in 0..<steps {
                let x = Tensor.normal([4, 5], rng: &data)
                opt.zeroGrad()
                layer(x).squared().mean().backward()
                opt.step()
            }
        }
        let groups = [ParameterGroup(layer.namedParameters, learningRate: 0.01, weightDecay: 0.1)]
        let opt = Adam.adamW(groups, schedule: .warmupCosine(warmupSteps: 2, totalSteps: 10))
        var data = RandomGenerator(seed: 2)
        train(opt, steps: 3, data: &data)
        let savedParams = layer.exportParameters(), savedState = opt.exportState(), savedData = data.state
        train(opt, steps: 4, data: &data)
        let expected = layer.weight.values

        try layer.loadParameters(savedParams)
        let fresh = Adam.adamW(groups, schedule: .warmupCosine(warmupSteps: 2, totalSteps: 10))
        try fresh.restore(savedState)
        #expect(fresh.stepCount == 3)
        var resumed = RandomGenerator(state: savedData)
        train(fresh, steps: 4, data: &resumed)
        #expect(layer.weight.values == expected)

        #expect(throws: ParameterLoadError.missing("bias")) { try layer.loadParameters(["weight": layer.weight]) }
        #expect(throws: OptimizerStateError.self) { try fresh.restore(OptimizerState(step: 1, tensors: [:])) }
    }
}

/// Gives `p` the gradient `values`, through the tape (d/dp of Σ p·values).
func setGradient(_ p: Tensor, _ values: [Float]) {
    p.zeroGrad()
    (p * Tensor(shape: p.shape, values: values)).sum().backward()
}
