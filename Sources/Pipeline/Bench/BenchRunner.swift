import Foundation
import Tensor

/// Times a workload's steps and reports them as one JSON object per line.
public struct BenchRunner {
    public var steps = 10
    public var warmup = 3
    public var seed: UInt64 = 0

    public init(steps: Int = 10, warmup: Int = 3, seed: UInt64 = 0) {
        self.steps = steps
        self.warmup = warmup
        self.seed = seed
    }

    /// Step cores used by other processes below which a step counts as clean.
    static let cleanForeignCores = 0.15

    /// Builds the workload, runs warm-up and timed steps, and returns the report line.
    public func run(_ name: String) -> String? {
        guard let entry = BenchCatalog.all.first(where: { $0.name == name }) else { return nil }
        Runtime.releaseCachedBuffers()
        ProcessStatistics.resetPeakResident()
        var rng = RandomGenerator(seed: seed)
        let workload = entry.make(&rng)
        var losses: [Float] = []
        for _ in 0..<warmup { losses.append(workload.step()) }
        var times: [Double] = [], foreign: [Double] = []
        var monitor = ForeignLoadMonitor()
        for _ in 0..<steps {
            monitor.begin()
            let start = DispatchTime.now().uptimeNanoseconds
            losses.append(workload.step())
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            foreign.append(monitor.foreignCores())
        }
        let clean = zip(times, foreign).filter { $0.1 < Self.cleanForeignCores }.map(\.0)
        var fields: [(String, BenchValue)] = [
            ("workload", .string(name)),
            ("median_s", .double(round6(median(times)))),
            ("min_s", .double(round6(times.min() ?? .nan))),
            ("mean_s", .double(round6(times.reduce(0, +) / Double(max(times.count, 1))))),
            ("median_clean_s", clean.isEmpty ? .double(.nan) : .double(round6(median(clean)))),
            ("clean_steps", .int(clean.count)),
            ("steps_timed", .int(times.count)),
            ("warmup", .int(warmup)),
            ("threads", .int(Runtime.threads)),
            ("blas_threads", .int(Runtime.blasThreads)),
            ("openblas_core", .string(BLASCore.name)),
            ("peak_rss_mib", .double(Double((ProcessStatistics.peakResidentBytes() ?? 0) / 1024) / 1024)),
            ("foreign_cores_mean", .double(round6(foreign.reduce(0, +) / Double(max(foreign.count, 1))))),
            ("loss_first_last", .doubles([Double(losses.first ?? .nan), Double(losses.last ?? .nan)])),
            ("times_s", .doubles(times.map(round6))),
        ]
        fields += workload.details.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return "{" + fields.map { "\"\($0.0)\":\($0.1.json)" }.joined(separator: ",") + "}"
    }

    private func median(_ v: [Double]) -> Double {
        guard !v.isEmpty else { return .nan }
        let s = v.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    private func round6(_ v: Double) -> Double { (v * 1e6).rounded() / 1e6 }
}
