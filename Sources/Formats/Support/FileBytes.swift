import CZlib
import Foundation

/// Whole-file reads (transparently gunzipping `.gz`) and atomic writes.
public enum FileBytes {
    /// The bytes of a file; a `.gz` file is decompressed.
    public static func read(_ path: String) throws(FormatError) -> [UInt8] {
        if path.hasSuffix(".gz") { return try gunzip(path) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file")
        }
        return [UInt8](data)
    }

    /// Decompresses a gzip file with zlib, up to what its size can expand to and at most `limit` bytes.
    public static func gunzip(_ path: String, limit: Int = SizeLimits.maximumInflatedBytes) throws(FormatError) -> [UInt8] {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            throw .unreadable(path: path, reason: "no such file")
        }
        let fileSize = (attributes[.size] as? NSNumber)?.intValue ?? 0
        let ceiling = Swift.min(limit, SizeLimits.deflateExpansion * fileSize + 1_024)
        guard let file = gzopen(path, "rb") else { throw .unreadable(path: path, reason: "gzopen failed") }
        defer { gzclose(file) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if n < 0 {
                var code: Int32 = 0
                let message = gzerror(file, &code).map { String(cString: $0) } ?? "zlib error"
                throw .invalid(path: path, reason: "not a valid gzip stream (\(message))")
            }
            if n == 0 { break }
            guard out.count + Int(n) <= ceiling else {
                throw .invalid(path: path, reason: "gzip data expands beyond \(ceiling) bytes (limit \(limit), or more than \(fileSize) compressed bytes can hold)")
            }
            out.append(contentsOf: chunk[0..<Int(n)])
        }
        // zlib reads a truncated stream without error; check the trailer was reached.
        if gzeof(file) == 0 { throw .truncated(path: path, expected: "a complete gzip stream") }
        var code: Int32 = 0
        _ = gzerror(file, &code)
        if code != Z_OK && code != Z_STREAM_END { throw .truncated(path: path, expected: "a complete gzip stream") }
        return out
    }

    /// Writes `bytes` to `path` atomically and durably: a temporary file in the same folder, synced,
    /// renamed into place, then the folder synced. On failure (a full disk, say) the file already at
    /// `path` is left as it was and the temporary file is removed.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(FormatError) {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder.isEmpty ? "." : folder, withIntermediateDirectories: true)
        } catch {
            throw .unwritable(path: path, reason: "cannot create its folder: \(error.localizedDescription)")
        }
        let temporary = temporaryPath(for: path)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .unwritable(path: path, reason: "cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var written = 0
        var failure: Int32 = 0
        bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 { if errno == EINTR { continue }; failure = errno; return }
                written += n
            }
        }
        if failure == 0, fsync(fd) != 0 { failure = errno }
        if close(fd) != 0, failure == 0 { failure = errno }
        if failure == 0, rename(temporary, path) != 0 { failure = errno }
        guard failure == 0 else {
            unlink(temporary)
            throw .unwritable(path: path, reason: "\(String(cString: strerror(failure))); the previous file, if any, is unchanged")
        }
        syncFolder(of: path)
    }

    /// Writes `data` to `path` atomically and durably (see the `[UInt8]` variant).
    public static func writeAtomically(_ data: Data, to path: String) throws(FormatError) {
        try writeAtomically([UInt8](data), to: path)
    }

    /// The temporary name a file is written under before it is renamed to `path`.
    public static func temporaryPath(for path: String) -> String { "\(path)\(temporaryMarker)\(getpid())" }

    /// What every temporary name holds, so leftovers of a killed run can be found and removed.
    public static let temporaryMarker = ".partial-"

    /// Flushes a finished file to disk (after HDF5 or another library wrote it).
    public static func sync(_ path: String) throws(FormatError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unwritable(path: path, reason: "cannot reopen to sync: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        if fsync(fd) != 0 { throw .unwritable(path: path, reason: "sync failed: \(String(cString: strerror(errno)))") }
    }

    /// Flushes the folder holding `path`, so a rename into it survives a power cut.
    public static func syncFolder(of path: String) {
        let folder = (path as NSString).deletingLastPathComponent
        let fd = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    /// Removes temporary files that killed runs left under `folder` (recursively): those whose
    /// writer's process id is no longer alive. Returns their paths.
    @discardableResult
    public static func removeLeftovers(under folder: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        var removed: [String] = []
        while let relative = walker.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            guard let marker = name.range(of: temporaryMarker, options: .backwards),
                  let writer = Int32(name[marker.upperBound...]),
                  writer != getpid(), kill(writer, 0) != 0, errno == ESRCH else { continue }
            let path = "\(folder)/\(relative)"
            if (try? FileManager.default.removeItem(atPath: path)) != nil { removed.append(path) }
        }
        return removed
    }
}
