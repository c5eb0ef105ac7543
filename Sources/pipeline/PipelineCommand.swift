import ArgumentParser
import Foundation
import Pipeline
import Tensor

@main
struct PipelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Implicit-Zoo: build INR zoos, pretrain on NeRF volumes, regress camera poses.",
        subcommands: [RunCommand.self, MergeCommand.self, AblateCommand.self, BenchCommand.self, TwinCommand.self])

    /// Work every subcommand does first: repair a slow OpenBLAS kernel choice (restarting the
    /// process if needed) and set the thread counts.
    static func prepareRuntime(threads: Int, blasThreads: Int) {
        if let note = BLASCore.repairIfNeeded() {
            FileHandle.standardError.write(Data((note + "\n").utf8))
        }
        Runtime.configure(threads: threads, blasThreads: blasThreads)
    }

    /// Runs `body`; a user-facing error (bad file, key or value) becomes one clear line and exit
    /// status 1 instead of a crash. `failure` runs after the line is printed (an MPI rank stops the others).
    static func reportingErrors(_ body: () throws -> Void, failure: () -> Void = {}) throws {
        do {
            try body()
        } catch let error as CustomStringConvertible & Error {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            failure()
            throw ExitCode.failure
        }
    }
}
