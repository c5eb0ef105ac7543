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

    /// Work every subcommand does first: refuse an MPI launch where the command is not data
    /// parallel (only `run` is), repair a slow OpenBLAS kernel choice (restarting the process if
    /// needed), set the thread counts and choose the matrix-product kernel.
    static func prepareRuntime(threads: Int, blasThreads: Int, allowsMPI: Bool = false, matmul: MatmulOptions? = nil) {
        if !allowsMPI, let size = ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"].flatMap(Int.init), size > 1 {
            let command = CommandLine.arguments.dropFirst().first ?? "this command"
            FileHandle.standardError.write(Data("error: `pipeline \(command)` runs in one process; of the commands only `pipeline run` works under mpirun (started here as one of \(size) ranks)\n".utf8))
            Foundation.exit(1)
        }
        if let note = BLASCore.repairIfNeeded() {
            FileHandle.standardError.write(Data((note + "\n").utf8))
        }
        Runtime.configure(threads: threads, blasThreads: blasThreads)
        if let matmul, let note = Runtime.useMatmul(precision: matmul.precision, backend: matmul.gemm) {
            FileHandle.standardError.write(Data((note + "\n").utf8))
        }
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
