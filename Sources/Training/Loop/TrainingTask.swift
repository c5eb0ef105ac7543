import NN
import Tensor

/// Metrics by name (losses, errors, shares), as one epoch's evaluation reports them.
public typealias Metrics = [String: Double]

/// A model, its optimizer and one training step over a batch of example indices: what
/// `TrainingLoop` runs, checkpoints and resumes, on one process or split over the ranks of an MPI
/// job. Tasks implement it themselves.
public protocol TrainingTask: AnyObject {
    /// Parameters saved in checkpoints (the model's and any learned tokenizer's), by name.
    var checkpointParameters: [(name: String, tensor: Tensor)] { get }
    var optimizer: Optimizer { get }
    /// Number of training examples (the loop shuffles their indices each epoch).
    var trainingCount: Int { get }
    /// Adds to the parameters' gradients those of the loss over the examples `batch[share]`,
    /// scaled by `share.count / batch.count`, so that the shares of a batch add up to the whole
    /// batch's gradient. Random draws cover the whole batch whatever the share (every rank draws
    /// alike), so any split of a batch trains the same model. Returns the share's scaled loss.
    func accumulateGradients(batch: [Int], share: Range<Int>, random: inout RandomStreams) -> Float
    /// The update from the complete gradients: clipping, the optimizer's step, projections.
    func applyGradients()
    /// Held-out metrics (run without gradients every few epochs and after the last).
    func evaluate() -> Metrics
}

extension TrainingTask {
    /// One optimizer update on the examples `batch` in this process alone; returns the loss.
    @discardableResult
    public func step(batch: [Int], random: inout RandomStreams) -> Float {
        optimizer.zeroGrad()
        let loss = accumulateGradients(batch: batch, share: 0..<batch.count, random: &random)
        applyGradients()
        return loss
    }

    /// Every parameter the optimizer updates (whose gradients the ranks of a run sum).
    public var optimizedParameters: [Tensor] { optimizer.groups.flatMap { $0.parameters.map(\.tensor) } }
}

/// The weight of a share of a batch in the batch's mean loss.
public func shareWeight(_ share: Range<Int>, of batch: [Int]) -> Float {
    Float(share.count) / Float(max(batch.count, 1))
}
