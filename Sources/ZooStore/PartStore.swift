import Foundation
import Formats

/// Finished INRs of a build that is still running, kept as small zoo files under `parts/`, so an
/// interrupted build keeps every INR it finished and a restarted one refits none of them.
public struct PartStore: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    private var partsDirectory: String { "\(directory)/parts" }

    /// Every part file, in name order.
    public func partFiles() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: partsDirectory)) ?? []
        return names.filter { $0.hasSuffix(".h5") }.sorted().map { "\(partsDirectory)/\($0)" }
    }

    /// Source indices of every INR already finished.
    public func finishedIndices() throws(FormatError) -> Set<Int> {
        var done = Set<Int>()
        for file in partFiles() { done.formUnion(try ZooReader(path: file).sourceIndices) }
        return done
    }

    /// Writes finished records as a new part (atomically).
    public func write(_ records: [ZooRecord], manifest: ZooManifest, name: String) throws(FormatError) {
        guard !records.isEmpty else { return }
        try ZooFile.write(records, manifest: manifest, to: "\(partsDirectory)/\(name).h5")
    }

    /// Every finished record, ordered by source index (later parts win over repeats).
    public func records() throws(FormatError) -> [ZooRecord] {
        var bySource: [Int: ZooRecord] = [:]
        for file in partFiles() {
            let reader = try ZooReader(path: file)
            for row in 0..<reader.count { bySource[reader.sourceIndices[row]] = try reader.record(row) }
        }
        return bySource.keys.sorted().map { bySource[$0]! }
    }
}
