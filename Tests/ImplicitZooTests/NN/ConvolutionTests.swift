import Testing
import Tensor
import NN

@Suite struct ConvolutionTests {
    /// Direct convolution by the definition, for comparison.
    static func reference(_ x: Tensor, _ conv: Conv2d) -> [Float] {
        let (b, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let o = conv.weight.shape[0], k = conv.kernel, ho = conv.outputSize(h), wo = conv.outputSize(w)
        var out = [Float](repeating: 0, count: b * o * ho * wo)
        let (xs, weights, bias) = (x.values, conv.weight.values, conv.bias.values)
        for n in 0..<b { for oc in 0..<o { for oy in 0..<ho { for ox in 0..<wo {
            var s = bias[oc]
            for ic in 0..<c { for ky in 0..<k { for kx in 0..<k {
                let y = oy * conv.stride - conv.padding + ky, xx = ox * conv.stride - conv.padding + kx
                guard y >= 0, y < h, xx >= 0, xx < w else { continue }
                s += xs[((n * c + ic) * h + y) * w + xx] * weights[((oc * c + ic) * k + ky) * k + kx]
            } } }
            out[((n * o + oc) * ho + oy) * wo + ox] = s
        } } } }
        return out
    }

    @Test(arguments: [(3, 1, 0), (3, 2, 1), (2, 2, 0), (1, 1, 0)])
    func convolutionMatchesTheDefinition(kernel: Int, stride: Int, padding: Int) {
        var rng = RandomGenerator(seed: 5)
        let x = Tensor.uniform([2, 3, 7, 5], low: -1, high: 1, rng: &rng)
        let conv = Conv2d(3, 4, kernel: kernel, stride: stride, padding: padding, rng: &rng)
        let y = conv(x)
        #expect(y.shape == [2, 4, conv.outputSize(7), conv.outputSize(5)])
        let expected = Self.reference(x, conv)
        #expect(zip(y.values, expected).allSatisfy { Swift.abs($0 - $1) < 1e-5 })
    }

    @Test func unfoldGradientOnOddShapes() {
        var d = TestData()
        let x = d.input([3, 5, 7, 3])
        checkGradients([x]) { $0[0].unfold2D(kernel: 3, stride: 2, padding: 1) }
        checkGradients([x]) { $0[0].unfold2D(kernel: 2, stride: 1, padding: 0) }
    }

    @Test func convolutionGradientsReachInputWeightAndBias() {
        var d = TestData()
        var rng = RandomGenerator(seed: 3)
        let conv = Conv2d(3, 5, kernel: 3, stride: 2, padding: 1, rng: &rng)
        let x = d.input([2, 3, 7, 5])
        checkGradients([x, conv.weight, conv.bias]) { conv($0[0]) }
    }
}
