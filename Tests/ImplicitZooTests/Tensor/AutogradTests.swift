import Testing
import Tensor
#if canImport(Glibc)
import Glibc
#endif

@Suite struct AutogradTests {
    @Test func gradientsAccumulateAcrossBackwardCalls() {
        let w = Tensor(shape: [3], values: [1, 2, 3], requiresGrad: true)
        (w * w).sum().backward()
        (w * 3).sum().backward()
        #expect(w.grad!.values == [5, 7, 9])
        w.zeroGrad()
        #expect(w.grad == nil)
    }

    @Test func gradientReachesInputsNotOnlyParameters() {
        let coords = Tensor(shape: [2], values: [0.5, -1], requiresGrad: true)
        let y = (coords * 30).sin().sum()
        y.backward()
        let expected: [Float] = [30 * cosf(15), 30 * cosf(-30)]
        expectClose(coords.grad!.values, expected, atol: 1e-4)
    }

    @Test func noGradScopeRecordsNothing() {
        let w = Tensor(shape: [3], values: [1, 2, 3], requiresGrad: true)
        let y = withoutGradient { (w * 2).sum() }
        #expect(!y.requiresGrad)
        #expect(y.isLeaf)
    }

    @Test func sharedSubexpressionGetsBothContributions() {
        let x = Tensor(shape: [1], values: [2], requiresGrad: true)
        let h = x.squared()           // 4
        let y = (h * h + h).sum()     // x^4 + x^2 → 4x^3 + 2x = 36
        y.backward()
        #expect(x.grad!.item == 36)
    }

    /// A sum's first input keeps the output's gradient buffer; adding into it later must not reach
    /// the second input, the same tensor used twice, or a retained output gradient.
    @Test func sumsHandTheirGradientOnWithoutAliasing() {
        let a = Tensor(shape: [2], values: [1, 2], requiresGrad: true)
        let b = Tensor(shape: [2], values: [3, 4], requiresGrad: true)
        let c = Tensor(shape: [2], values: [5, 6]), d = Tensor(shape: [2], values: [7, 8])
        ((a + b) * c).sum().backward()
        (a * d).sum().backward()
        #expect(a.grad!.values == [12, 14])
        #expect(b.grad!.values == [5, 6])
        let x = Tensor(shape: [2], values: [1, 2], requiresGrad: true)
        (((x + x) - x + 1) * c + x * d).sum().backward()
        #expect(x.grad!.values == [12, 14])
        let y = Tensor(shape: [2], values: [1, 2], requiresGrad: true)
        let s = y + y
        s.retainsGrad = true
        (s * c + y * d).sum().backward()
        #expect(s.grad!.values == [5, 6])
        #expect(y.grad!.values == [17, 20])
    }

    @Test func intermediatesReleaseTheirGradientUnlessRetained() {
        let x = Tensor(shape: [2], values: [1, 2], requiresGrad: true)
        let h = x * 2
        h.retainsGrad = true
        let z = x * 3
        (h.sum() + z.sum()).backward()
        #expect(h.grad!.values == [1, 1])
        #expect(z.grad == nil)
        #expect(x.grad!.values == [5, 5])
    }

    @Test func randomGeneratorIsReproducibleAndRestorable() {
        var a = RandomGenerator(seed: 42), b = RandomGenerator(seed: 42)
        #expect((0..<5).map { _ in a.next() } == (0..<5).map { _ in b.next() })
        let saved = a.state
        let next = (0..<3).map { _ in a.uniform() }
        var restored = RandomGenerator(state: saved)
        #expect((0..<3).map { _ in restored.uniform() } == next)
        var c = RandomGenerator(seed: 43)
        #expect(c.next() != RandomGenerator(seed: 42).state[0])
        let p = c.permutation(10)
        #expect(p.sorted() == Array(0..<10))
        let n = Tensor.normal([10_000], rng: &c)
        #expect(Swift.abs(n.mean().item) < 0.05)
        #expect(Swift.abs(n.squared().mean().item - 1) < 0.05)
        let t = Tensor.truncatedNormal([1000], std: 0.02, rng: &c)
        #expect(t.values.allSatisfy { Swift.abs($0) <= 0.04 })
    }

    @Test func releasedBuffersAreReused() {
        // 1,000 tensors of one size, each released before the next: with reuse, only the first (and
        // whatever tests running alongside allocate meanwhile) reaches the system allocator.
        let before = Runtime.memory.misses
        for i in 0..<1000 {
            let t = Tensor.full([77_777], Float(i))
            #expect(t[77_776] == Float(i))
        }
        let misses = Runtime.memory.misses - before
        #expect(misses < 100, "\(misses) of 1,000 same-size allocations missed the pool")
        let live = Runtime.memory.liveBytes
        let held = Tensor.zeros([100_000])
        #expect(Runtime.memory.liveBytes >= live + 400_000 || Runtime.memory.peakLiveBytes >= live + 400_000)
        _ = held
    }
}
