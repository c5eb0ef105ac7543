/// Why an op refused its inputs; every message starts with the op's name.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    /// Two shapes that the op needs to agree do not.
    case shapeMismatch(op: String, lhs: [Int], rhs: [Int], expected: String)
    /// One input has a shape the op cannot take.
    case invalidShape(op: String, shape: [Int], expected: String)
    /// An axis, index or argument outside what the op accepts.
    case invalidArgument(op: String, message: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(op, lhs, rhs, expected):
            return "[\(op)] shapes \(lhs) and \(rhs) do not fit: \(expected)"
        case let .invalidShape(op, shape, expected):
            return "[\(op)] shape \(shape) is not valid: \(expected)"
        case let .invalidArgument(op, message):
            return "[\(op)] \(message)"
        }
    }
}

/// Stops on a shape error the caller's code made; ops validate with throwing checks and trap here,
/// so the message still names the op and the shapes.
@inline(never)
func fail(_ error: TensorError, file: StaticString = #file, line: UInt = #line) -> Never {
    fatalError(error.description, file: file, line: line)
}

/// Runs a throwing shape check and traps with its message if it fails.
@inline(__always)
func check<T>(_ body: () throws(TensorError) -> T) -> T {
    do { return try body() } catch { fail(error) }
}
