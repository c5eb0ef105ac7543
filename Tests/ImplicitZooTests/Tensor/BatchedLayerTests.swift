import Testing
import Tensor
#if canImport(Glibc)
import Glibc
#endif

@Suite struct BatchedLayerTests {
    /// y[n, p, o] = act(Σᵢ x[n or shared, p, i]·W[n, o, i] + b[n, o]), by the definition.
    func reference(_ x: Tensor, _ w: Tensor, _ b: Tensor, omega: Float?) -> [Float] {
        let (n, o, i) = (w.shape[0], w.shape[1], w.shape[2])
        let shared = x.rank == 2
        let p = shared ? x.shape[0] : x.shape[1]
        let (xv, wv, bv) = (x.values, w.values, b.values)
        var out: [Float] = []
        for m in 0..<n {
            for q in 0..<p {
                for r in 0..<o {
                    var s = Double(bv[m * o + r])
                    for k in 0..<i { s += Double(xv[(shared ? 0 : m * p * i) + q * i + k]) * Double(wv[(m * o + r) * i + k]) }
                    out.append(omega.map { sinf($0 * Float(s)) } ?? Float(s))
                }
            }
        }
        return out
    }

    @Test(arguments: [(true, Float?.none), (true, Float?.some(3)), (false, Float?.none), (false, Float?.some(3))])
    func valuesAndGradientsOnOddShapes(shared: Bool, omega: Float?) {
        var d = TestData(seed: 13)
        let x = shared ? d.input([5, 3]) : d.input([2, 5, 3])
        let w = d.input([2, 7, 3], -0.5, 0.5), b = d.input([2, 7], -0.5, 0.5)
        let y = Tensor.batchedLayer(x, weight: w, bias: b, omega: omega)
        #expect(y.shape == [2, 5, 7])
        expectClose(y.values, reference(x, w, b, omega: omega), atol: 1e-5, rtol: 1e-4)
        checkGradients([x, w, b]) { Tensor.batchedLayer($0[0], weight: $0[1], bias: $0[2], omega: omega) }
    }
}
