import Tensor

extension Loss {
    /// Mean negative log-likelihood of `targets` under softmax(`logits`) (`Tensor.crossEntropy`).
    /// logits `[N, C]`, one class index per row; rows whose target is `ignoreIndex` count for nothing.
    public static func crossEntropy(_ logits: Tensor, targets: [Int], ignoreIndex: Int? = nil) -> Tensor {
        Tensor.crossEntropy(logits: logits, targets: targets, ignoreIndex: ignoreIndex)
    }

    /// Mean over rows of −Σ_c q_c · log softmax(`logits`)_c: the cross-entropy against target
    /// distributions `[N, C]` (constants, each row summing to 1); a one-hot row gives the
    /// class-index form's value.
    public static func crossEntropy(_ logits: Tensor, distributions: Tensor) -> Tensor {
        precondition(logits.shape == distributions.shape && logits.rank == 2,
                     "Loss.crossEntropy: logits and distributions both [N, C], got \(logits.shape) and \(distributions.shape)")
        return -(logits.logSoftmax() * distributions).sum(axis: 1).mean()
    }
}
