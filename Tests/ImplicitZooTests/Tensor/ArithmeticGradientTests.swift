import Testing
import Tensor

@Suite struct ArithmeticGradientTests {
    @Test func addSubMulDivSameShape() {
        var d = TestData()
        let a = d.input([3, 5, 7]), b = d.input([3, 5, 7], 0.5, 1.5)
        checkGradients([a, b]) { $0[0] + $0[1] }
        checkGradients([a, b]) { $0[0] - $0[1] }
        checkGradients([a, b]) { $0[0] * $0[1] }
        checkGradients([a, b]) { $0[0] / $0[1] }
    }

    @Test(arguments: [([3, 5, 7], [7]), ([3, 5, 7], [5, 1]), ([3, 1, 7], [1, 5, 1]), ([3, 5, 7], [1]), ([1], [3, 5, 7])])
    func broadcasting(_ shapes: ([Int], [Int])) {
        var d = TestData()
        let a = d.input(shapes.0), b = d.input(shapes.1, 0.5, 1.5)
        checkGradients([a, b]) { $0[0] + $0[1] }
        checkGradients([a, b]) { $0[0] * $0[1] }
        checkGradients([a, b]) { $0[0] / $0[1] }
        checkGradients([a, b]) { $0[0] - $0[1] }
    }

    @Test func broadcastValues() {
        let a = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3], values: [10, 20, 30])
        let c = Tensor(shape: [2, 1], values: [100, 200])
        #expect((a + b).values == [11, 22, 33, 14, 25, 36])
        #expect((a * c).values == [100, 200, 300, 800, 1000, 1200])
        #expect((c - b).values == [90, 80, 70, 190, 180, 170])
        #expect((c - b).shape == [2, 3])
    }

    @Test func scalars() {
        var d = TestData()
        let a = d.input([3, 5, 7])
        checkGradients([a]) { 2 * $0[0] + 3 }
        checkGradients([a]) { 1 - $0[0] / 4 }
        checkGradients([a]) { -$0[0] }
    }

    @Test func broadcastErrorNamesOpAndShapes() throws {
        #expect(throws: TensorError.shapeMismatch(op: "add", lhs: [3, 5], rhs: [4, 5],
                                                 expected: "sizes must match or be 1 in every aligned axis")) {
            try Shape.broadcast([3, 5], [4, 5], op: "add")
        }
        do {
            _ = try Shape.matmul([2, 3, 5], [4, 7])
            Issue.record("a matmul of [2, 3, 5] by [4, 7] was accepted")
        } catch {
            #expect(error.description == "[matmul] shapes [2, 3, 5] and [4, 7] do not fit: inner sizes to agree (5 vs 4) with transposeA false, transposeB false")
        }
        #expect(try Shape.matmul([2, 3, 5], [4, 5], transposeB: true) == [2, 3, 4])
    }
}
