import Tensor

/// Regression losses, averaged over all elements.
public enum Loss {
    /// mean((prediction − target)²)
    public static func meanSquaredError(_ prediction: Tensor, _ target: Tensor) -> Tensor {
        (prediction - target).squared().mean()
    }

    /// mean(|prediction − target|)
    public static func meanAbsoluteError(_ prediction: Tensor, _ target: Tensor) -> Tensor {
        (prediction - target).abs().mean()
    }

    /// Squared error averaged over the last axis, then over the positions where `mask` is 1
    /// (`mask` has the shape of the leading axes). MAE's loss on masked tokens.
    public static func maskedMeanSquaredError(_ prediction: Tensor, _ target: Tensor, mask: Tensor) -> Tensor {
        let perPosition = (prediction - target).squared().mean(axis: -1)
        let weight = Swift.max(mask.sum().item, 1)
        return (perPosition * mask).sum() * (1 / weight)
    }
}
