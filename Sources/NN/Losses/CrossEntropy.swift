import Tensor

extension Loss {
    /// Mean negative log-likelihood of `targets` under softmax(`logits`) (`Tensor.crossEntropy`).
    /// logits `[N, C]`, one class index per row; rows whose target is `ignoreIndex` count for nothing.
    public static func crossEntropy(_ logits: Tensor, targets: [Int], ignoreIndex: Int? = nil) -> Tensor {
        Tensor.crossEntropy(logits: logits, targets: targets, ignoreIndex: ignoreIndex)
    }
}
