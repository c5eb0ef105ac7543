import NN
import Tensor

/// The shape of Implicit-Zoo's 2-D INRs: `layers − 1` sine layers sin(ω(Wx + b)) (the first one
/// included) and a final linear layer, coordinates in, RGB out.
public struct SIRENConfiguration: Sendable, Equatable, Codable {
    public var layers = 3
    public var width = 64
    public var inputs = 2
    public var outputs = 3
    public var omega: Float = 30

    public init() {}

    public init(layers: Int, width: Int, inputs: Int = 2, outputs: Int = 3, omega: Float = 30) {
        precondition(layers >= 2, "SIRENConfiguration: at least 2 layers (one sine, one linear)")
        self.layers = layers
        self.width = width
        self.inputs = inputs
        self.outputs = outputs
        self.omega = omega
    }

    /// `[out, in]` of each layer.
    public var layerShapes: [(out: Int, in: Int)] {
        (0..<layers).map { i in (i == layers - 1 ? outputs : width, i == 0 ? inputs : width) }
    }

    public var parameterCount: Int { layerShapes.reduce(0) { $0 + $1.out * $1.in + $1.out } }

    /// The initial weights and biases of one INR, as the paper's code makes them: sine layers
    /// U(±√(6/fan_in)/ω) with zero bias, the last layer PyTorch's default U(±1/√fan_in).
    /// Every INR of a zoo starts from the same draw (the paper reseeds with 42 for each image).
    public func initialParameters(seed: UInt64) -> [(weight: [Float], bias: [Float])] {
        var rng = RandomGenerator(seed: seed)
        return layerShapes.enumerated().map { i, s in
            let last = i == layers - 1
            let bound = last ? 1 / Float(s.in).squareRoot() : (6 / Float(s.in)).squareRoot() / omega
            let w = (0..<(s.out * s.in)).map { _ in rng.uniform(-bound, bound) }
            let b = last ? (0..<s.out).map { _ in rng.uniform(-bound, bound) } : [Float](repeating: 0, count: s.out)
            return (w, b)
        }
    }
}

/// Many SIRENs evaluated together: parameters stacked as `[N, out, in]` and `[N, out]` per layer.
/// Parameter names follow the released state dicts (`seq.0.weight`, …) with the INR axis in front.
public final class SIRENBatch: Layer {
    public let config: SIRENConfiguration
    public let weights: [Tensor]
    public let biases: [Tensor]
    public var count: Int { weights[0].shape[0] }

    /// `count` INRs, every one set to `initial` (one INR's parameters, as `initialParameters` gives).
    public init(_ config: SIRENConfiguration, count: Int, initial: [(weight: [Float], bias: [Float])], requiresGrad: Bool = true) {
        self.config = config
        weights = config.layerShapes.enumerated().map { i, s in
            Tensor(shape: [count, s.out, s.in], values: Array((0..<count).map { _ in initial[i].weight }.joined()), requiresGrad: requiresGrad)
        }
        biases = config.layerShapes.enumerated().map { i, s in
            Tensor(shape: [count, s.out], values: Array((0..<count).map { _ in initial[i].bias }.joined()), requiresGrad: requiresGrad)
        }
    }

    /// INRs whose stacked parameters are given (e.g. read from a zoo), without gradients.
    public init(_ config: SIRENConfiguration, weights: [Tensor], biases: [Tensor]) {
        precondition(weights.count == config.layers && biases.count == config.layers,
                     "SIRENBatch: \(weights.count) weight and \(biases.count) bias tensors for \(config.layers) layers")
        for (i, s) in config.layerShapes.enumerated() {
            precondition(weights[i].shape.dropFirst().elementsEqual([s.out, s.in]) && biases[i].shape.last == s.out,
                         "SIRENBatch: layer \(i) has weight \(weights[i].shape) and bias \(biases[i].shape), expected [N, \(s.out), \(s.in)] and [N, \(s.out)]")
        }
        self.config = config
        self.weights = weights
        self.biases = biases
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        (0..<config.layers).flatMap { i in [("seq.\(i).weight", weights[i]), ("seq.\(i).bias", biases[i])] }
    }

    /// Outputs `[N, P, outputs]` at coordinates `[P, inputs]` (shared) or `[N, P, inputs]`.
    public func callAsFunction(_ coordinates: Tensor) -> Tensor {
        var h = coordinates
        for i in 0..<config.layers {
            h = Tensor.batchedLayer(h, weight: weights[i], bias: biases[i], omega: i == config.layers - 1 ? nil : config.omega)
        }
        return h
    }

    /// Overwrites INR `slot` with one INR's parameters.
    public func set(slot: Int, to parameters: [(weight: [Float], bias: [Float])]) {
        for i in 0..<config.layers {
            let w = parameters[i].weight, b = parameters[i].bias
            weights[i].replaceValues(from: slot * w.count, with: w)
            biases[i].replaceValues(from: slot * b.count, with: b)
        }
    }

    /// The parameters of INR `slot`.
    public func parameters(slot: Int) -> [(weight: [Float], bias: [Float])] {
        config.layerShapes.enumerated().map { i, s in
            (weights[i].values(in: (slot * s.out * s.in)..<((slot + 1) * s.out * s.in)),
             biases[i].values(in: (slot * s.out)..<((slot + 1) * s.out)))
        }
    }
}

/// Pixel coordinates as the paper's INRs see them: x = column, y = row, each `linspace(-1, 1)`
/// with endpoints, row-major.
public enum PixelGrid {
    public static func coordinates(height: Int, width: Int) -> Tensor {
        var values: [Float] = []
        values.reserveCapacity(height * width * 2)
        for r in 0..<height {
            for c in 0..<width {
                values.append(width > 1 ? -1 + 2 * Float(c) / Float(width - 1) : 0)
                values.append(height > 1 ? -1 + 2 * Float(r) / Float(height - 1) : 0)
            }
        }
        return Tensor(shape: [height * width, 2], values: values)
    }
}

/// The ImageNet colour normalisation the 2-D INRs are fitted in: (rgb − mean) / std per channel.
public enum ImageNetNormalization {
    public static let mean: [Float] = [0.485, 0.456, 0.406]
    public static let std: [Float] = [0.229, 0.224, 0.225]

    /// `[..., 3]` RGB in [0, 1] → normalised values.
    public static func normalize(_ rgb: [Float]) -> [Float] {
        rgb.enumerated().map { ($1 - mean[$0 % 3]) / std[$0 % 3] }
    }

    /// Normalised values → RGB (not clamped).
    public static func denormalize(_ values: [Float]) -> [Float] {
        values.enumerated().map { $1 * std[$0 % 3] + mean[$0 % 3] }
    }
}
