import CMPI
import Foundation
import Tensor

/// Why the processes of a run could not work together.
public enum ProcessGroupError: Error, CustomStringConvertible {
    case unavailable(String)
    case disagreement(String)

    public var description: String {
        switch self {
        case let .unavailable(reason): return "cannot start MPI: \(reason)"
        case let .disagreement(reason): return reason
        }
    }
}

/// The processes that run one pipeline together: just this one, or the ranks of an MPI job
/// (`mpirun -np N pipeline run …`). Open MPI is loaded at run time only when the program was
/// started by its launcher, so the program builds and runs on machines without it. Rank 0 is the
/// root: it alone writes checkpoints, logs, figures and summaries.
public final class ProcessGroup: @unchecked Sendable {
    public let rank: Int
    public let size: Int
    /// Floats per allreduce call when gradients are summed (16 MiB buckets).
    public static let bucketCount = 1 << 22

    /// The communication buffer, allocated once (only a parallel group uses it).
    private lazy var bucket = [Float](repeating: 0, count: Self.bucketCount)

    private init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }

    /// This process alone.
    public static let single = ProcessGroup(rank: 0, size: 1)

    public var isRoot: Bool { rank == 0 }
    public var isParallel: Bool { size > 1 }

    /// The MPI world when Open MPI's launcher started this process with more than one rank
    /// (`OMPI_COMM_WORLD_SIZE`), otherwise `single`. Call once, before any other work.
    public static func launched(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ProcessGroupError) -> ProcessGroup {
        guard let declared = environment["OMPI_COMM_WORLD_SIZE"].flatMap(Int.init), declared > 1 else {
            if environment["PMI_RANK"] != nil || environment["PMI_SIZE"] != nil {
                throw .unavailable("this program speaks Open MPI; it was started by another MPI's launcher (PMI_RANK is set). Use Open MPI's mpirun (Debian's openmpi-bin)")
            }
            return .single
        }
        var message = [CChar](repeating: 0, count: 512)
        guard cmpi_initialize(&message, message.count) == 0 else {
            throw .unavailable(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        var rank: Int32 = 0, size: Int32 = 0
        guard cmpi_rank(&rank) == 0, cmpi_size(&size) == 0 else { throw .unavailable("MPI_Comm_rank or MPI_Comm_size failed") }
        guard Int(size) == declared else {
            throw .unavailable("the launcher declared \(declared) ranks but MPI_COMM_WORLD has \(size)")
        }
        return ProcessGroup(rank: Int(rank), size: Int(size))
    }

    /// The positions of a global batch of `count` examples that this rank computes: contiguous,
    /// the first `count % size` ranks one more (empty when there are more ranks than examples).
    public func share(of count: Int) -> Range<Int> { Self.share(of: count, rank: rank, size: size) }

    /// The share of rank `rank` of `size` in a batch of `count`.
    public static func share(of count: Int, rank: Int, size: Int) -> Range<Int> {
        let base = count / size, extra = count % size
        let start = rank * base + min(rank, extra)
        return start..<(start + base + (rank < extra ? 1 : 0))
    }

    /// Sums every tensor's gradient over the ranks in place (a missing gradient counts as zero and
    /// is created), in buckets of `bucketCount` floats, a few calls per step; `loss` rides in the last
    /// bucket. Returns the summed loss. A no-op for a single process.
    public func sumGradients(_ parameters: [Tensor], loss: Float) -> Float {
        guard isParallel else { return loss }
        var members: [Tensor] = []
        var filled = 0
        func flush(withLoss: Bool) -> Float {
            if withLoss { bucket[filled] = loss; filled += 1 }
            let code = bucket.withUnsafeMutableBufferPointer { cmpi_allreduce_sum_float($0.baseAddress!, filled) }
            precondition(code == 0, "MPI_Allreduce failed with error \(code)")
            var offset = 0
            for p in members {
                let g = p.gradientForUpdate()
                bucket.withUnsafeBufferPointer { g.assignElements(from: $0.baseAddress! + offset) }
                offset += g.count
            }
            let summed = withLoss ? bucket[filled - 1] : 0
            members.removeAll(keepingCapacity: true)
            filled = 0
            return summed
        }
        for p in parameters {
            let g = p.gradientForUpdate()
            precondition(g.count < Self.bucketCount, "sumGradients: a gradient of \(g.count) floats exceeds one bucket")
            if filled + g.count >= Self.bucketCount { _ = flush(withLoss: false) }
            bucket.withUnsafeMutableBufferPointer { g.copyElements(to: $0.baseAddress! + filled) }
            filled += g.count
            members.append(p)
        }
        return flush(withLoss: true)
    }

    /// Sums `values` over the ranks.
    public func sum(_ values: [Double]) -> [Double] {
        guard isParallel, !values.isEmpty else { return values }
        var out = values
        let code = out.withUnsafeMutableBufferPointer { cmpi_allreduce_sum_double($0.baseAddress!, $0.count) }
        precondition(code == 0, "MPI_Allreduce failed with error \(code)")
        return out
    }

    /// Fails on every rank unless every rank holds the same `value` (e.g. the step it resumes from).
    public func checkAgreement(_ value: Int, _ what: String) throws(ProcessGroupError) {
        guard isParallel else { return }
        let sums = sum([Double(value), Double(value) * Double(value)])
        let n = Double(size)
        if sums[0] * sums[0] != n * sums[1] {
            throw .disagreement("the \(size) ranks disagree on \(what) (this rank, \(rank), has \(value)): every rank must see the same run folder, on a file system they share")
        }
    }

    /// Waits until every rank gets here.
    public func barrier() {
        guard isParallel else { return }
        let code = cmpi_barrier()
        precondition(code == 0, "MPI_Barrier failed with error \(code)")
    }

    /// Ends MPI cleanly (every rank, at the end of the program).
    public func finish() {
        if isParallel { _ = cmpi_finalize() }
    }

    /// Stops every rank after a fatal error on this one.
    public func abort(code: Int32) -> Never {
        if isParallel { cmpi_abort(code) }
        exit(code)
    }
}
