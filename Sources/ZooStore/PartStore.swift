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

    /// Source indices of every INR already finished, after checking each was fitted to the input
    /// now at its position (`expected`: source index → identity); see `checkIdentities`.
    public func finishedIndices(expected: [Int: String]) throws(FormatError) -> Set<Int> {
        var finished: [(Int, String)] = []
        for file in partFiles() {
            let reader = try ZooReader(path: file)
            finished += zip(reader.sourceIndices, reader.sourceIdentities).map { ($0, $1) }
        }
        try checkIdentities(finished, expected: expected)
        return Set(finished.map(\.0))
    }

    /// Fails when a finished INR was fitted to another input than the one now at its position (the
    /// source list changed since the build started: inputs added, removed, reordered or edited),
    /// naming the first few, so old fits are never attached to new inputs. INRs of positions that
    /// no longer exist are reported too; parts from before identities were recorded pass.
    public func checkIdentities(_ finished: [(index: Int, identity: String)], expected: [Int: String]) throws(FormatError) {
        var changes: [String] = []
        for (index, identity) in finished where !identity.isEmpty {
            guard let now = expected[index] else {
                changes.append("position \(index) held \(identity) and is gone"); continue
            }
            if now != identity { changes.append("position \(index) held \(identity) and now holds \(now)") }
        }
        guard changes.isEmpty else {
            throw .invalid(path: partsDirectory, reason: "the inputs changed since this build started (\(changes.count) finished INRs no longer match: "
                + changes.prefix(3).joined(separator: "; ") + (changes.count > 3 ? "; …" : "")
                + "); restore the inputs to resume, or start over with --restart")
        }
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
