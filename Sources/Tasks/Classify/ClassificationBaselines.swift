import Fields
import Tensor

/// Trivial predictors a classifier must beat, scored on the test split.
public struct ClassificationBaselines: Codable, Sendable, Equatable {
    /// Accuracy of always predicting the most frequent training class.
    public var majorityClass: Double
    /// Accuracy of the label of the nearest training example by squared distance of the pixel
    /// values (the INRs rendered on the pixel grid, or the images).
    public var nearestNeighbour: Double

    public init(train: ClassificationData, test: ClassificationData, height: Int, width: Int) {
        let classes = (train.labels.max() ?? 0) + 1
        var counts = [Int](repeating: 0, count: classes)
        for l in train.labels { counts[l] += 1 }
        let majority = counts.indices.max { counts[$0] < counts[$1] } ?? 0
        majorityClass = test.count > 0 ? Double(test.labels.filter { $0 == majority }.count) / Double(test.count) : 0
        let (a, b) = withoutGradient { (Self.pixels(train, height: height, width: width), Self.pixels(test, height: height, width: width)) }
        guard test.count > 0, train.count > 0 else { nearestNeighbour = 0; return }
        // argmin_j ‖b_i − a_j‖² = argmin_j (‖a_j‖² − 2·b_i·a_j).
        let products = withoutGradient { Tensor.matmul(b, a, transposeB: true) }.values
        let squares = withoutGradient { (a * a).sum(axis: 1) }.values
        var correct = 0
        for i in 0..<test.count {
            var best = 0, bestScore = Float.infinity
            for j in 0..<train.count {
                let score = squares[j] - 2 * products[i * train.count + j]
                if score < bestScore { (best, bestScore) = (j, score) }
            }
            if train.labels[best] == test.labels[i] { correct += 1 }
        }
        nearestNeighbour = Double(correct) / Double(test.count)
    }

    /// Every example as one row of pixel values `[N, H·W·3]`.
    static func pixels(_ data: ClassificationData, height: Int, width: Int) -> Tensor {
        switch data.examples {
        case let .images(images): return images.reshaped(data.count, images.count / max(data.count, 1))
        case .inrs:
            let grid = PixelGrid.coordinates(height: height, width: width)
            let rows = stride(from: 0, to: data.count, by: 512).map { start in
                data.inrs(Array(start..<min(data.count, start + 512)))!(grid).reshaped(min(data.count, start + 512) - start, height * width * 3)
            }
            return rows.isEmpty ? Tensor.zeros([0, height * width * 3]) : Tensor.concat(rows, axis: 0)
        }
    }
}
