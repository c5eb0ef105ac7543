import Testing
import Tensor

@Suite struct MatmulTests {
    /// Reference product in Double over explicit loops.
    func reference(_ a: Tensor, _ b: Tensor, _ ta: Bool, _ tb: Bool) -> [Float] {
        let ar = a.rank, br = b.rank
        let m = ta ? a.shape[ar - 1] : a.shape[ar - 2], k = ta ? a.shape[ar - 2] : a.shape[ar - 1]
        let n = tb ? b.shape[br - 2] : b.shape[br - 1]
        let batchA = a.count / (m * k), batchB = b.count / (k * n)
        let batch = Swift.max(batchA, batchB)
        var out = [Float]()
        let av = a.values, bv = b.values
        for p in 0..<batch {
            let oa = (batchA == 1 ? 0 : p) * m * k, ob = (batchB == 1 ? 0 : p) * k * n
            for i in 0..<m {
                for j in 0..<n {
                    var s = 0.0
                    for l in 0..<k {
                        s += Double(av[oa + (ta ? l * m + i : i * k + l)]) * Double(bv[ob + (tb ? j * k + l : l * n + j)])
                    }
                    out.append(Float(s))
                }
            }
        }
        return out
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func batchedWithTransposeFlags(_ flags: (Bool, Bool)) {
        var d = TestData()
        let (ta, tb) = flags
        let a = d.input(ta ? [2, 5, 3] : [2, 3, 5]), b = d.input(tb ? [2, 7, 5] : [2, 5, 7])
        let c = Tensor.matmul(a, b, transposeA: ta, transposeB: tb)
        #expect(c.shape == [2, 3, 7])
        expectClose(c.values, reference(a, b, ta, tb), atol: 1e-5)
        checkGradients([a, b]) { Tensor.matmul($0[0], $0[1], transposeA: ta, transposeB: tb) }
    }

    @Test(arguments: [false, true])
    func sharedRightOperandFoldsTheBatch(_ tb: Bool) {
        var d = TestData()
        let a = d.input([3, 5, 7]), b = d.input(tb ? [4, 7] : [7, 4])
        let c = Tensor.matmul(a, b, transposeB: tb)
        expectClose(c.values, reference(a, b, false, tb), atol: 1e-5)
        checkGradients([a, b]) { Tensor.matmul($0[0], $0[1], transposeB: tb) }
    }

    @Test func broadcastLeftOperand() {
        var d = TestData()
        let a = d.input([5, 3]), b = d.input([3, 3, 4])
        let c = Tensor.matmul(a, b)
        #expect(c.shape == [3, 5, 4])
        expectClose(c.values, reference(a, b, false, false), atol: 1e-5)
        checkGradients([a, b]) { Tensor.matmul($0[0], $0[1]) }
        let e = d.input([1, 5, 3])
        checkGradients([e, b]) { Tensor.matmul($0[0], $0[1], transposeA: false) }
    }

    @Test func largeProductSplitAcrossThreads() {
        Runtime.withThreads(2) {
            var d = TestData()
            let a = d.input([257, 131]), b = d.input([131, 129])
            let c = Tensor.matmul(a, b)
            expectClose(c.values, reference(a, b, false, false), atol: 1e-4)
            let wide = d.input([17, 131])
            let bt = d.input([769, 131])
            expectClose(Tensor.matmul(wide, bt, transposeB: true).values, reference(wide, bt, false, true), atol: 1e-4)
        }
    }

    @Test func linearMatchesMatmulPlusBias() {
        var d = TestData()
        let x = d.input([3, 5, 7]), w = d.input([4, 7]), b = d.input([4])
        let y = Tensor.linear(x, weight: w, bias: b)
        let expected = Tensor.matmul(x, w, transposeB: true) + b
        expectClose(y.values, expected.values, atol: 1e-6)
        checkGradients([x, w, b]) { Tensor.linear($0[0], weight: $0[1], bias: $0[2]) }
        checkGradients([x, w]) { Tensor.linear($0[0], weight: $0[1]) }
    }
}
