#if canImport(Glibc)
import Glibc
#endif

/// A multiplier of each group's base learning rate as a function of the optimizer step.
public enum LearningRateSchedule: Sendable, Equatable {
    case constant
    /// Cosine from 1 down to `minimum` over `totalSteps`.
    case cosine(totalSteps: Int, minimum: Float = 0)
    /// Linear warm-up from 0 over `warmupSteps`, then cosine down to `minimum` at `totalSteps`.
    case warmupCosine(warmupSteps: Int, totalSteps: Int, minimum: Float = 0)
    /// (1 − step/total)^power down to `minimum` (DeepLab's "poly").
    case polynomial(totalSteps: Int, power: Float, minimum: Float = 0)

    /// The multiplier at `step` (0-based: the value used by the first update is `factor(at: 0)`).
    public func factor(at step: Int) -> Float {
        switch self {
        case .constant:
            return 1
        case let .cosine(total, minimum):
            return cosineFactor(Float(Swift.min(step, total)) / Float(Swift.max(total, 1)), minimum)
        case let .warmupCosine(warmup, total, minimum):
            if step < warmup { return Float(step + 1) / Float(warmup + 1) }
            let progress = Float(Swift.min(step, total) - warmup) / Float(Swift.max(total - warmup, 1))
            return cosineFactor(progress, minimum)
        case let .polynomial(total, power, minimum):
            let progress = Float(Swift.min(step, total)) / Float(Swift.max(total, 1))
            return minimum + (1 - minimum) * powf(1 - progress, power)
        }
    }

    private func cosineFactor(_ progress: Float, _ minimum: Float) -> Float {
        minimum + (1 - minimum) * 0.5 * (1 + cosf(Float.pi * progress))
    }
}
