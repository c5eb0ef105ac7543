import Tensor

/// A 2-D convolution over images `[B, C, H, W]` with weight `[O, C, k, k]` and bias `[O]`
/// (PyTorch's layout and names), computed as windows (`unfold2D`) times the flattened weight.
public final class Conv2d: Layer {
    public let weight: Tensor
    public let bias: Tensor
    public let kernel: Int
    public let stride: Int
    public let padding: Int

    /// PyTorch's default initialisation (uniform in ±1/√(C·k·k), weight and bias).
    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, rng: inout RandomGenerator) {
        let fanIn = inChannels * kernel * kernel, bound = 1 / Float(fanIn).squareRoot()
        weight = Initializer.pytorchDefault.make([outChannels, inChannels, kernel, kernel], rng: &rng)
        bias = Initializer.uniform(bound: bound).make([outChannels], rng: &rng)
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
    }

    public var namedParameters: [(name: String, tensor: Tensor)] { [("weight", weight), ("bias", bias)] }

    /// Spatial size of the output for an input of size `size`.
    public func outputSize(_ size: Int) -> Int { (size + 2 * padding - kernel) / stride + 1 }

    /// `[B, C, H, W]` → `[B, O, Ho, Wo]`.
    public func callAsFunction(_ images: Tensor) -> Tensor {
        let (b, h, w) = (images.shape[0], images.shape[2], images.shape[3])
        let o = weight.shape[0]
        let windows = images.unfold2D(kernel: kernel, stride: stride, padding: padding)
        let y = Tensor.linear(windows, weight: weight.reshaped(o, weight.count / o), bias: bias)
        return y.permuted(0, 2, 1).reshaped(b, o, outputSize(h), outputSize(w))
    }
}
