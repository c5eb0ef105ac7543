import Testing
import Tensor

@Suite struct ReductionGradientTests {
    @Test func sumsAndMeans() {
        var d = TestData()
        let x = d.input([3, 5, 7])
        checkGradients([x]) { $0[0].sum() }
        checkGradients([x]) { $0[0].sum(axis: 1) }
        checkGradients([x]) { $0[0].sum(axes: [0, 2], keepDims: true) }
        checkGradients([x]) { $0[0].mean(axis: -1) }
        checkGradients([x]) { $0[0].mean() }
    }

    @Test func sumValues() {
        let x = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        #expect(x.sum().item == 21)
        #expect(x.sum(axis: 0).values == [5, 7, 9])
        #expect(x.sum(axis: 1).values == [6, 15])
        #expect(x.sum(axis: 1, keepDims: true).shape == [2, 1])
        #expect(x.mean(axis: 0).values == [2.5, 3.5, 4.5])
        #expect(x.max(axis: 1).values == [3, 6])
    }

    @Test func maxGradientGoesToTheMaximum() {
        var d = TestData()
        let x = d.input([3, 5, 7])
        checkGradients([x]) { $0[0].max(axis: 1) }
        checkGradients([x]) { $0[0].max(axis: -1, keepDims: true) }
    }

    @Test func largeSumIsAccurate() {
        let n = 1_000_003
        let x = Tensor.full([n], 0.1)
        #expect(Swift.abs(x.sum().item - 100_000.3) < 0.05)
    }
}
