import Tensor

/// CIFAR-10 binary batches (`data_batch_1.bin` … `test_batch.bin`): records of one label byte and
/// 3,072 pixel bytes (1,024 red, 1,024 green, 1,024 blue, row-major 32×32).
public struct CIFAR10 {
    public static let classNames = ["airplane", "automobile", "bird", "cat", "deer",
                                    "dog", "frog", "horse", "ship", "truck"]
    static let recordSize = 3073

    /// Images `[N, 3, 32, 32]` in [0, 1].
    public let images: Tensor
    public let labels: [Int]

    /// Reads the given batch files in order, keeping at most `limit` images.
    public init(files: [String], limit: Int? = nil) throws(FormatError) {
        var pixels: [UInt8] = [], labels: [Int] = []
        for path in files {
            let bytes = try FileBytes.read(path)
            guard bytes.count % Self.recordSize == 0, !bytes.isEmpty else {
                throw .truncated(path: path, expected: "whole records of 3,073 bytes (found \(bytes.count) bytes)")
            }
            for r in 0..<(bytes.count / Self.recordSize) {
                if let limit, labels.count >= limit { break }
                let o = r * Self.recordSize
                guard bytes[o] < 10 else { throw .invalid(path: path, reason: "record \(r) has label \(bytes[o]), expected 0-9") }
                labels.append(Int(bytes[o]))
                pixels += bytes[(o + 1)..<(o + Self.recordSize)]
            }
        }
        images = Tensor(shape: [labels.count, 3, 32, 32], values: pixels.map { Float($0) / 255 })
        self.labels = labels
    }

    /// The training batches (or the test batch) in a `cifar-10-batches-bin` folder.
    public static func files(in directory: String, train: Bool) -> [String] {
        train ? (1...5).map { "\(directory)/data_batch_\($0).bin" } : ["\(directory)/test_batch.bin"]
    }
}
