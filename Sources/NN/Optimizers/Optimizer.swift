import Tensor

/// What an optimizer must carry across a checkpoint: its step count and named moment tensors.
public struct OptimizerState {
    public var step: Int
    /// Moment buffers by "<parameter name>.<moment>", e.g. "head.weight.exp_avg".
    public var tensors: [String: Tensor]

    public init(step: Int, tensors: [String: Tensor]) {
        self.step = step
        self.tensors = tensors
    }
}

/// Why a checkpoint's optimizer state does not fit the optimizer.
public enum OptimizerStateError: Error, Equatable, CustomStringConvertible {
    case missing(String)
    case shapeMismatch(name: String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case let .missing(name): return "optimizer state has no tensor '\(name)'"
        case let .shapeMismatch(name, expected, found):
            return "optimizer state tensor '\(name)' has shape \(found), expected \(expected)"
        }
    }
}

/// Updates parameters from their gradients.
public protocol Optimizer: AnyObject {
    var groups: [ParameterGroup] { get set }
    /// Number of updates made so far (the schedule's position).
    var stepCount: Int { get }
    var schedule: LearningRateSchedule { get set }
    /// One update of every parameter that has a gradient.
    func step()
    func exportState() -> OptimizerState
    func restore(_ state: OptimizerState) throws(OptimizerStateError)
}

extension Optimizer {
    /// The learning rate of group `g` for the next update.
    public func currentLearningRate(group g: Int = 0) -> Float {
        groups[g].learningRate * schedule.factor(at: stepCount)
    }

    /// Clears every parameter's gradient.
    public func zeroGrad() {
        for group in groups { for p in group.parameters { p.tensor.zeroGrad() } }
    }

    /// Every parameter name with its tensor, over all groups.
    var allParameters: [(name: String, tensor: Tensor)] { groups.flatMap(\.parameters) }
}

/// Per-parameter moment buffers, created zero on first use, exported by name.
final class MomentBuffers {
    let names: [String]
    private(set) var buffers: [String: Tensor] = [:]

    init(names: [String]) { self.names = names }

    func buffer(_ key: String, like parameter: Tensor) -> Tensor {
        if let b = buffers[key] { return b }
        let b = Tensor.zeros(parameter.shape)
        buffers[key] = b
        return b
    }

    func export() -> [String: Tensor] { buffers.mapValues { $0.detached() } }

    func restore(_ tensors: [String: Tensor], parameters: [(name: String, tensor: Tensor)], step: Int) throws(OptimizerStateError) {
        var restored: [String: Tensor] = [:]
        if step > 0 {
            for (name, tensor) in parameters {
                for moment in names {
                    let key = "\(name).\(moment)"
                    guard let t = tensors[key] else { throw .missing(key) }
                    guard t.shape == tensor.shape else { throw .shapeMismatch(name: key, expected: tensor.shape, found: t.shape) }
                    restored[key] = t.detached()
                }
            }
        }
        buffers = restored
    }
}
