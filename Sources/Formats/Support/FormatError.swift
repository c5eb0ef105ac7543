/// A file that could not be read or written as the format it should be in. Every case names the
/// file and says what was expected.
public enum FormatError: Error, Equatable, CustomStringConvertible {
    /// The file does not exist or cannot be opened.
    case unreadable(path: String, reason: String)
    /// The file ends before the format says it should.
    case truncated(path: String, expected: String)
    /// The contents are not what the format requires.
    case invalid(path: String, reason: String)
    /// Writing failed.
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): return "\(path): cannot read: \(reason)"
        case let .truncated(path, expected): return "\(path): file is truncated: expected \(expected)"
        case let .invalid(path, reason): return "\(path): \(reason)"
        case let .unwritable(path, reason): return "\(path): cannot write: \(reason)"
        }
    }
}
