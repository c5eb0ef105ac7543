import NN
import Tensor

/// Metrics by name (losses, errors, shares), as one epoch's evaluation reports them.
public typealias Metrics = [String: Double]

/// A model, its optimizer and one training step over a batch of example indices: what
/// `TrainingLoop` runs, checkpoints and resumes. Tasks implement it themselves.
public protocol TrainingTask: AnyObject {
    /// Parameters saved in checkpoints (the model's and any learned tokenizer's), by name.
    var checkpointParameters: [(name: String, tensor: Tensor)] { get }
    var optimizer: Optimizer { get }
    /// Number of training examples (the loop shuffles their indices each epoch).
    var trainingCount: Int { get }
    /// One optimizer update on the examples `batch`, drawing from `random`; returns the loss.
    func step(batch: [Int], random: inout RandomStreams) -> Float
    /// Held-out metrics (run without gradients every few epochs and after the last).
    func evaluate() -> Metrics
}
