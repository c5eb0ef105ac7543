import Training
import ZooStore

/// Scores of predicted class maps against true ones: per-class IoU = TP / (TP + FP + FN), mIoU
/// over the classes present in truth or prediction, and pixel accuracy; unlabelled pixels skipped.
public struct SegmentationMetrics: Sendable, Equatable {
    /// `confusion[truth][predicted]` pixel counts.
    public let confusion: [[Int]]
    public let classes: Int

    public init(predicted: [UInt8], truth: [UInt8], classes: Int, ignoreIndex: UInt8 = ZooLabelMap.ignoreIndex) {
        precondition(predicted.count == truth.count, "SegmentationMetrics: \(predicted.count) predictions for \(truth.count) pixels")
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        for (p, t) in zip(predicted, truth) where t != ignoreIndex { confusion[Int(t)][Int(p)] += 1 }
        self.confusion = confusion
        self.classes = classes
    }

    /// IoU of each class; nil where the class is in neither truth nor prediction.
    public var classIoU: [Float?] {
        (0..<classes).map { c in
            let tp = confusion[c][c]
            let fn = confusion[c].reduce(0, +) - tp
            let fp = (0..<classes).reduce(0) { $0 + confusion[$1][c] } - tp
            return tp + fp + fn == 0 ? nil : Float(tp) / Float(tp + fp + fn)
        }
    }

    public var meanIoU: Float {
        let present = classIoU.compactMap { $0 }
        return present.isEmpty ? 0 : present.reduce(0, +) / Float(present.count)
    }

    public var pixelAccuracy: Float {
        let total = confusion.joined().reduce(0, +)
        return total == 0 ? 0 : Float((0..<classes).reduce(0) { $0 + confusion[$1][$1] }) / Float(total)
    }

    /// `mean_iou`, `pixel_accuracy` with a prefix, e.g. `test_mean_iou`.
    public func logged(prefix: String) -> Metrics {
        ["\(prefix)_mean_iou": Double(meanIoU), "\(prefix)_pixel_accuracy": Double(pixelAccuracy)]
    }
}
