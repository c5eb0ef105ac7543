import Configuration
import Foundation

/// A lock on a run folder for as long as a run uses it: `flock` on `<folder>/.lock`, which holds
/// the owner's process id. The kernel drops a lock when its process dies, so the lock of a killed
/// run is simply taken over; a live holder makes a second run fail with its id. Shards of one
/// build share the folder: each holds `.lock` shared and its own `.lock-shard-i-of-n` exclusively,
/// so shards run side by side while a whole run, a merge or a second copy of a shard is refused.
public final class RunLock {
    public static let fileName = ".lock"
    public let folder: String
    private var descriptors: [Int32] = []

    /// Takes the lock of `folder` (created if missing), for one `shard` of a build when given, or
    /// fails naming the process that holds it.
    public init(folder: String, shard: (index: Int, count: Int)? = nil) throws(ConfigError) {
        self.folder = folder
        guard !folder.isEmpty else { throw .unusableRunFolder(runFolder: folder, reason: "the path is empty") }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), !isFolder.boolValue {
            throw .unusableRunFolder(runFolder: folder, reason: "a file of that name exists")
        }
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw .unusableRunFolder(runFolder: folder, reason: "it cannot be created: \(error.localizedDescription)")
        }
        if let shard, shard.count > 1 {
            try take(Self.fileName, exclusive: false)
            try take("\(Self.fileName)-shard-\(shard.index)-of-\(shard.count)", exclusive: true)
        } else {
            try take(Self.fileName, exclusive: true)
        }
    }

    deinit {
        for fd in descriptors.reversed() {
            flock(fd, LOCK_UN)
            close(fd)
        }
    }

    private func take(_ name: String, exclusive: Bool) throws(ConfigError) {
        let path = "\(folder)/\(name)"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .unusableRunFolder(runFolder: folder, reason: "its lock \(path) cannot be opened: \(String(cString: strerror(errno)))") }
        guard flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0 else {
            let holder = Self.holder(fd)
            close(fd)
            throw .runFolderInUse(runFolder: folder, holder: holder)
        }
        descriptors.append(fd)
        let text = Array("pid \(getpid()) on \(ProcessInfo.processInfo.hostName)\n".utf8)
        if exclusive { ftruncate(fd, 0) }
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    /// What the lock file says about its holder.
    private static func holder(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        let text = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
        return text.isEmpty ? "process unknown" : text
    }
}
