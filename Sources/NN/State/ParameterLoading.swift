import Tensor

/// Why a set of tensors cannot be loaded into a layer.
public enum ParameterLoadError: Error, Equatable, CustomStringConvertible {
    case missing(String)
    case unexpected([String])
    case shapeMismatch(name: String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case let .missing(name): return "no tensor named '\(name)' to load"
        case let .unexpected(names): return "tensors that match no parameter: \(names.sorted().joined(separator: ", "))"
        case let .shapeMismatch(name, expected, found): return "tensor '\(name)' has shape \(found), the parameter has \(expected)"
        }
    }
}

extension Layer {
    /// Copies of every parameter under its name (for checkpoints).
    public func exportParameters() -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: namedParameters.map { ($0.name, $0.tensor.detached()) })
    }

    /// Overwrites every parameter with the tensor of its name (same shape); with `allowExtra`,
    /// tensors that match no parameter are ignored, otherwise they are an error.
    public func loadParameters(_ tensors: [String: Tensor], allowExtra: Bool = false) throws(ParameterLoadError) {
        try NN.loadParameters(namedParameters, from: tensors, allowExtra: allowExtra)
    }
}

/// Overwrites each named parameter with the tensor of its name (same shape), checking them all
/// before changing any; with `allowExtra`, tensors that match no parameter are ignored (e.g. the
/// decoder of a checkpoint whose encoder is loaded), otherwise they are an error.
public func loadParameters(_ parameters: [(name: String, tensor: Tensor)], from tensors: [String: Tensor],
                           allowExtra: Bool = false) throws(ParameterLoadError) {
    for (name, p) in parameters {
        guard let t = tensors[name] else { throw .missing(name) }
        guard t.shape == p.shape else { throw .shapeMismatch(name: name, expected: p.shape, found: t.shape) }
    }
    if !allowExtra {
        let known = Set(parameters.map(\.name))
        let extra = tensors.keys.filter { !known.contains($0) }
        if !extra.isEmpty { throw .unexpected(extra) }
    }
    for (name, p) in parameters { p.assign(tensors[name]!) }
}
