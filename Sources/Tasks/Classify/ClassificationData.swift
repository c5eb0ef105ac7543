import Fields
import Tensor

/// The examples of one split a classifier reads: SIRENs (their stacked parameters) or images.
public struct ClassificationData {
    public enum Examples {
        /// Per layer, `[N, out, in]` weights and `[N, out]` biases of N SIRENs.
        case inrs(SIRENConfiguration, weights: [Tensor], biases: [Tensor])
        /// ImageNet-normalized images `[N, 3, H, W]`.
        case images(Tensor)
    }

    public let examples: Examples
    public let labels: [Int]

    public init(examples: Examples, labels: [Int]) {
        switch examples {
        case let .inrs(_, weights, _): precondition(weights[0].shape[0] == labels.count, "ClassificationData: \(weights[0].shape[0]) INRs, \(labels.count) labels")
        case let .images(images): precondition(images.shape[0] == labels.count, "ClassificationData: \(images.shape[0]) images, \(labels.count) labels")
        }
        self.examples = examples
        self.labels = labels
    }

    public var count: Int { labels.count }

    /// The examples of `rows` only.
    public func subset(_ rows: [Int]) -> ClassificationData {
        switch examples {
        case let .inrs(config, weights, biases):
            return ClassificationData(examples: .inrs(config, weights: weights.map { $0.indexSelect(axis: 0, rows) },
                                                      biases: biases.map { $0.indexSelect(axis: 0, rows) }), labels: rows.map { labels[$0] })
        case let .images(images):
            return ClassificationData(examples: .images(images.indexSelect(axis: 0, rows)), labels: rows.map { labels[$0] })
        }
    }

    /// The INRs of `rows` as one batch (frozen: no gradients to their parameters).
    public func inrs(_ rows: [Int]) -> SIRENBatch? {
        guard case let .inrs(config, weights, biases) = examples else { return nil }
        return SIRENBatch(config, weights: weights.map { $0.indexSelect(axis: 0, rows) }, biases: biases.map { $0.indexSelect(axis: 0, rows) })
    }

    /// The images of `rows`, `[B, 3, H, W]`.
    public func images(_ rows: [Int]) -> Tensor? {
        guard case let .images(images) = examples else { return nil }
        return images.indexSelect(axis: 0, rows)
    }
}
