import Testing
import Foundation
import Tensor
import NN
import Formats
import ZooStore
import Training
import Pipeline
import Configuration

/// Writes that fail for lack of space keep the previous file; run folders are locked against a
/// second run and taken over from a killed one.
@Suite struct DurabilityTests {
    static let childVariable = "IMPLICIT_ZOO_FULL_DISK_CHILD"

    /// The test binary runs this test again in a child whose file-size limit (`ulimit -f`) is far
    /// below what it writes: a checkpoint and a zoo that cannot be written must leave the ones
    /// before intact, say why, and leave no temporary files.
    @Test func aWriteThatRunsOutOfSpaceLeavesThePreviousFileIntact() throws {
        if let folder = ProcessInfo.processInfo.environment[Self.childVariable] {
            signal(SIGXFSZ, SIG_IGN)
            var messages: [String] = []
            let big = Tensor(shape: [300_000], values: Array(repeating: 0.25, count: 300_000))
            do {
                try CheckpointStore(runFolder: folder).save(parameters: [("w", big)], optimizer: OptimizerState(step: 2, tensors: [:]),
                                                            state: TrainingState(step: 2))
            } catch { messages.append(error.description) }
            do {
                let records = (0..<400).map { ZooStorageTests.record($0, label: 0, psnr: 30) }
                try ZooFile.write(records, manifest: ZooStorageTests.manifest, to: "\(folder)/zoo.h5")
            } catch { messages.append(error.description) }
            try messages.joined(separator: "\n").write(toFile: "\(folder)/child.txt", atomically: false, encoding: .utf8)
            return
        }
        let dir = TemporaryDirectory("full-disk")
        let store = CheckpointStore(runFolder: dir.path)
        let small = Tensor(shape: [3], values: [1, 2, 3])
        try store.save(parameters: [("w", small)], optimizer: OptimizerState(step: 1, tensors: [:]), state: TrainingState(step: 1))
        try ZooFile.write((0..<2).map { ZooStorageTests.record($0, label: 0, psnr: 30) }, manifest: ZooStorageTests.manifest, to: dir.file("zoo.h5"))

        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sh")
        child.arguments = ["-c", "ulimit -f 64; trap '' XFSZ; exec \"$0\" --testing-library swift-testing --filter DurabilityTests/aWriteThatRunsOutOfSpace",
                           CommandLine.arguments[0]]
        child.environment = ProcessInfo.processInfo.environment.merging([Self.childVariable: dir.path]) { $1 }
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        child.waitUntilExit()
        let said = try String(contentsOfFile: dir.file("child.txt"), encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(said.count == 2, "\(said)")
        #expect(said.allSatisfy { $0.contains("cannot write") }, "\(said)")
        #expect(said.first?.contains("the previous file, if any, is unchanged") == true, "\(said)")

        let latest = try #require(store.latest())
        #expect(latest.state.step == 1 && latest.parameters["w"]?.values == [1, 2, 3])
        #expect(try ZooReader(path: dir.file("zoo.h5")).count == 2)
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: dir.path).filter { $0.contains(FileBytes.temporaryMarker) }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    /// A lock held by a live holder refuses a second run with its id; the lock file a killed run
    /// left (its flock died with it) is taken over by the next run.
    @Test func aRunFolderLockIsRefusedWhileHeldAndTakenOverAfterAKill() throws {
        let dir = TemporaryDirectory("lock")
        try FileManager.default.createDirectory(atPath: dir.file("run"), withIntermediateDirectories: true)
        try "pid 999999 on elsewhere\n".write(toFile: dir.file("run/.lock"), atomically: false, encoding: .utf8)
        let lock = try RunLock(folder: dir.file("run"))
        #expect(try String(contentsOfFile: dir.file("run/.lock"), encoding: .utf8).hasPrefix("pid \(getpid()) "))
        do {
            _ = try RunLock(folder: dir.file("run"))
            Issue.record("a second run took a folder in use")
        } catch {
            #expect(error.description.contains("is in use by another run (pid \(getpid())"), "\(error)")
        }
        withExtendedLifetime(lock) {}
        // Shards of one build share the folder; a whole run or a second copy of a shard does not.
        let shard0 = try RunLock(folder: dir.file("zoo"), shard: (0, 2)), shard1 = try RunLock(folder: dir.file("zoo"), shard: (1, 2))
        #expect(throws: ConfigError.self) { try RunLock(folder: dir.file("zoo"), shard: (1, 2)) }
        #expect(throws: ConfigError.self) { try RunLock(folder: dir.file("zoo")) }
        withExtendedLifetime((shard0, shard1)) {}
    }

    /// Temporary files of a killed writer are removed when a run starts; a live writer's are kept.
    @Test func leftoversOfKilledWritersAreRemoved() throws {
        let dir = TemporaryDirectory("leftovers")
        let dead = dir.write("parts/scene-0001.h5\(FileBytes.temporaryMarker)999999", [1, 2, 3])
        let live = dir.write("parts/scene-0002.h5\(FileBytes.temporaryMarker)1", [1, 2, 3])   // pid 1 is alive
        let removed = FileBytes.removeLeftovers(under: dir.path)
        #expect(removed == [dead] && FileManager.default.fileExists(atPath: live))
    }
}
