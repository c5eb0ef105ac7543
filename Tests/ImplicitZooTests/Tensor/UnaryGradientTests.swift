import Testing
import Tensor
#if canImport(Glibc)
import Glibc
#endif

@Suite struct UnaryGradientTests {
    @Test func smoothFunctions() {
        var d = TestData()
        let x = d.input([3, 5, 7], -2, 2)
        checkGradients([x]) { $0[0].exp() }
        checkGradients([x]) { $0[0].sin() }
        checkGradients([x]) { $0[0].cos() }
        checkGradients([x]) { $0[0].sigmoid() }
        checkGradients([x]) { $0[0].tanh() }
        checkGradients([x]) { $0[0].squared() }
        checkGradients([x]) { $0[0].gelu() }
        checkGradients([x]) { $0[0].gelu(.tanh) }
        let p = d.input([3, 5, 7], 0.3, 2)
        checkGradients([p]) { $0[0].log() }
        checkGradients([p]) { $0[0].sqrt() }
    }

    @Test func kinkedFunctionsAwayFromKinks() {
        var d = TestData()
        let x = d.awayFromZero([3, 5, 7])
        checkGradients([x]) { $0[0].relu() }
        checkGradients([x]) { $0[0].abs() }
        checkGradients([x]) { $0[0].clamped(min: -0.5, max: 0.5) }
    }

    /// The SIMD polynomials against libm, over the ranges the models use.
    @Test func vectorMathMatchesLibm() {
        let n = 4099
        let xs = (0..<n).map { Float($0) / Float(n) * 60 - 30 }
        let x = Tensor(shape: [n], values: xs)
        func maxError(_ t: Tensor, _ f: (Float) -> Float) -> Float {
            zip(t.values, xs).map { Swift.abs($0 - f($1)) }.max()!
        }
        #expect(maxError(x.sin(), sinf) < 2e-6)
        #expect(maxError(x.cos(), cosf) < 2e-6)
        #expect(maxError(x.tanh(), tanhf) < 2e-7)
        #expect(maxError(x.sigmoid(), { 1 / (1 + expf(-$0)) }) < 2e-7)
        #expect(maxError(x.gelu(), { 0.5 * $0 * (1 + erff($0 / Float(2).squareRoot())) }) < 5e-6)
        let small = Tensor(shape: [n], values: xs.map { $0 / 3 })
        let rel = zip(small.exp().values, xs).map { Swift.abs($0 / expf($1 / 3) - 1) }.max()!
        #expect(rel < 3e-7)
        let big = Tensor(shape: [3], values: [1000, -1000, 12345.6])
        expectClose(big.sin().values, [sinf(1000), sinf(-1000), sinf(12345.6)], atol: 5e-4)
    }
}
