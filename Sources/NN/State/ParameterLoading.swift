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

    /// Overwrites parameters with tensors of the same names and shapes. With `strict`, every
    /// parameter must be present and no extra tensor may be left over.
    public func loadParameters(_ tensors: [String: Tensor], strict: Bool = true) throws(ParameterLoadError) {
        let params = namedParameters
        for (name, p) in params {
            guard let t = tensors[name] else {
                if strict { throw .missing(name) }
                continue
            }
            guard t.shape == p.shape else { throw .shapeMismatch(name: name, expected: p.shape, found: t.shape) }
        }
        if strict {
            let known = Set(params.map(\.name))
            let extra = tensors.keys.filter { !known.contains($0) }
            if !extra.isEmpty { throw .unexpected(extra) }
        }
        for (name, p) in params { if let t = tensors[name] { p.assign(t) } }
    }
}
