/// Limits on sizes read from files: every count a file declares is multiplied with overflow checks
/// and compared with a limit before anything is allocated, so a hostile header is an error, not a
/// trap or a multi-gigabyte allocation.
public enum SizeLimits {
    /// The most elements one array read from a file may hold (2³¹: 8 GiB of Float32).
    public static let maximumElements = 1 << 31
    /// The most bytes a compressed stream may expand to (4 GiB).
    public static let maximumInflatedBytes = 1 << 32
    /// The most a deflate stream can expand: 1,032 output bytes per input byte (zlib's documented bound).
    public static let deflateExpansion = 1_032

    /// The product of `dimensions`, or an error naming `what` in `path` when a dimension is negative,
    /// the product overflows, or it exceeds `limit`.
    public static func elementCount(_ dimensions: [Int], of what: @autoclosure () -> String, in path: String,
                                    limit: Int = maximumElements) throws(FormatError) -> Int {
        var count = 1
        for d in dimensions {
            guard d >= 0 else { throw .invalid(path: path, reason: "\(what()) has a negative size in \(dimensions)") }
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else { throw .invalid(path: path, reason: "\(what()) declares sizes \(dimensions), too many elements to count") }
            count = product
        }
        guard count <= limit else {
            throw .invalid(path: path, reason: "\(what()) declares \(count) elements (sizes \(dimensions)), more than the limit of \(limit)")
        }
        return count
    }

    /// `a × b + c` with overflow reported as an error naming `what` in `path`.
    public static func multiplyAdd(_ a: Int, _ b: Int, _ c: Int = 0, _ what: @autoclosure () -> String,
                                   in path: String) throws(FormatError) -> Int {
        let (product, o1) = a.multipliedReportingOverflow(by: b)
        let (sum, o2) = product.addingReportingOverflow(c)
        guard !o1, !o2 else { throw .invalid(path: path, reason: "\(what()) overflows (\(a) × \(b) + \(c))") }
        return sum
    }
}
