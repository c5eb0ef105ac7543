import Testing
import Tensor

@Suite struct LayoutAndIndexingTests {
    @Test func reshapeSharesStorageAndInfers() {
        let x = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let y = x.reshaped(3, -1)
        #expect(y.shape == [3, 2])
        x.assign([6, 5, 4, 3, 2, 1])                 // a reshape is a view: it sees the write
        #expect(y.values == [6, 5, 4, 3, 2, 1])
        var d = TestData()
        let a = d.input([3, 5, 7])
        checkGradients([a]) { $0[0].reshaped(7, 15) * $0[0].reshaped(7, 15) }
    }

    @Test func permuteValuesAndGradient() {
        let x = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        #expect(x.transposed().values == [1, 4, 2, 5, 3, 6])
        var d = TestData()
        let a = d.input([3, 5, 7, 2])
        checkGradients([a]) { $0[0].permuted(2, 0, 3, 1) }
        let p = a.permuted(2, 0, 3, 1)
        #expect(p.shape == [7, 3, 2, 5])
        #expect(p[4, 1, 0, 3] == a[1, 3, 4, 0])
    }

    @Test func sliceConcatStack() {
        var d = TestData()
        let a = d.input([3, 5, 7]), b = d.input([3, 2, 7])
        checkGradients([a]) { $0[0].slice(axis: 1, 1..<4) }
        checkGradients([a, b]) { Tensor.concat([$0[0], $0[1], $0[0]], axis: 1) }
        let c = Tensor.concat([a, b], axis: 1)
        #expect(c.shape == [3, 7, 7])
        #expect(c[2, 6, 3] == b[2, 1, 3])
        let s = Tensor.stack([a, a * 2], axis: 1)
        #expect(s.shape == [3, 2, 5, 7])
        #expect(s[1, 1, 2, 3] == 2 * a[1, 2, 3])
        checkGradients([a]) { Tensor.stack([$0[0], $0[0].squared()], axis: 3) }
    }

    @Test func indexSelectGatherScatter() {
        var d = TestData()
        let a = d.input([3, 5, 7])
        let idx = [4, 0, 4]
        let s = a.indexSelect(axis: 1, idx)
        #expect(s.shape == [3, 3, 7])
        #expect(s[2, 2, 6] == a[2, 4, 6])
        checkGradients([a]) { $0[0].indexSelect(axis: 1, idx) }

        // gather: different kept tokens for each sample, as MAE masking does.
        let keep = [4, 1, 0, 2, 3, 1]   // [3 samples, 2 kept]
        let g = a.gather(axis: 1, indices: keep, count: 2)
        #expect(g.shape == [3, 2, 7])
        #expect(g[1, 0, 5] == a[1, 0, 5] && g[2, 1, 0] == a[2, 1, 0])
        checkGradients([a]) { $0[0].gather(axis: 1, indices: keep, count: 2) }

        let src = d.input([3, 2, 7])
        let base = d.input([3, 5, 7])
        let scattered = base.scatterAdd(axis: 1, indices: keep, source: src)
        #expect(Swift.abs(scattered[0, 4, 2] - (base[0, 4, 2] + src[0, 0, 2])) < 1e-6)
        checkGradients([base, src]) { $0[0].scatterAdd(axis: 1, indices: [0, 0, 1, 2, 3, 3], source: $0[1]) }
    }

    @Test func whereAndClamp() {
        var d = TestData()
        let a = d.input([3, 5, 7]), b = d.input([5, 7])
        let mask = Tensor.uniform([3, 5, 7], rng: &d.rng).clamped(min: 0.5) - 0.5
        checkGradients([a, b]) { Tensor.select(mask, $0[0], $0[1]) }
        let w = Tensor.select(mask, a, b)
        for i in [0, 17, 50, 104] {
            let expected = mask.values[i] != 0 ? a.values[i] : b.values[i % 35]
            #expect(w.values[i] == expected)
        }
    }

    @Test func errorsNameTheOp() throws {
        do {
            _ = try Shape.axis(3, rank: 3, op: "softmax")
            Issue.record("axis 3 of rank 3 was accepted")
        } catch {
            #expect(error.description == "[softmax] axis 3 is out of range for rank 3")
        }
        #expect(try Shape.axis(-1, rank: 3, op: "softmax") == 2)
    }
}
