import Foundation
import Formats
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

    /// Builds the named workload, times it, and returns the report line (nil: no such workload).
    public func run(_ name: String) -> String? {
        guard let entry = BenchCatalog.all.first(where: { $0.name == name }) else { return nil }
        return run(name: name, entry.make)
    }

    /// Runs warm-up and timed steps of the workload `make` builds; returns one line of JSON.
    public func run(name: String, _ make: (inout RandomGenerator) -> BenchWorkload) -> String {
        Runtime.releaseCachedBuffers()
        ProcessStatistics.resetPeakResident()
        var rng = RandomGenerator(seed: seed)
        let workload = make(&rng)
        var losses: [Float] = []
        for _ in 0..<warmup { losses.append(workload.step()) }
        var times: [Double] = [], foreign: [Double] = []
        var monitor = ForeignLoadMonitor()
        GEMMStatistics.start()
        for _ in 0..<steps {
            monitor.begin()
            let start = DispatchTime.now().uptimeNanoseconds
            losses.append(workload.step())
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            foreign.append(monitor.foreignCores())
        }
        let gemm = GEMMStatistics.stop()
        let gemmFlop = 2 * Double(gemm.multiplyAdds) / Double(max(steps, 1))
        let clean = zip(times, foreign).filter { $0.1 < Self.cleanForeignCores }.map(\.0)
        let report = BenchReport(
            workload: name, medianS: round6(median(times)), minS: round6(times.min() ?? .nan),
            meanS: round6(times.reduce(0, +) / Double(max(times.count, 1))), medianCleanS: clean.isEmpty ? nil : round6(median(clean)),
            cleanSteps: clean.count, stepsTimed: times.count, warmup: warmup, threads: Runtime.threads, blasThreads: Runtime.blasThreads,
            openblasCore: BLASCore.name, matmulPrecision: Runtime.matmulPrecision.rawValue, gemmKernel: Runtime.matmulKernelName,
            peakRssMib: Double((ProcessStatistics.peakResidentBytes() ?? 0) / 1024) / 1024,
            foreignCoresMean: round6(foreign.reduce(0, +) / Double(max(foreign.count, 1))),
            lossFirstLast: [Double(losses.first ?? .nan), Double(losses.last ?? .nan)], losses: losses.map(Double.init), timesS: times.map(round6),
            gemmGflopPerStep: round6(gemmFlop / 1e9),
            gemmGflopsInBlas: gemm.seconds > 0 ? round6(gemmFlop * Double(steps) / gemm.seconds / 1e9) : nil,
            gemmGflopsPerStepTime: round6(gemmFlop / median(times) / 1e9),
            gemmThreadSecondsShare: round6(gemm.seconds / max(times.reduce(0, +), 1e-12)),
            details: workload.details)
        return (try? JSONOutput.data(report, pretty: false)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    private func median(_ v: [Double]) -> Double {
        guard !v.isEmpty else { return .nan }
        let s = v.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    private func round6(_ v: Double) -> Double { (v * 1e6).rounded() / 1e6 }
}

/// One line of `pipeline bench`: timings, the machine's settings and the workload's own fields.
struct BenchReport: Encodable {
    let workload: String
    let medianS: Double, minS: Double, meanS: Double
    /// The median over steps that other processes did not slow (null when there were none).
    let medianCleanS: Double?
    let cleanSteps: Int, stepsTimed: Int, warmup: Int
    let threads: Int, blasThreads: Int
    let openblasCore: String
    /// `fp32` or `bf16`, and the code that ran the products (`openblas`, `avx512`, `avx2`, `avx512_bf16`).
    let matmulPrecision: String, gemmKernel: String
    let peakRssMib: Double
    let foreignCoresMean: Double
    let lossFirstLast: [Double]
    /// The loss of every step, warm-up included (to compare precisions step by step).
    let losses: [Double]
    let timesS: [Double]
    /// Matrix-product work of one step (2 FLOP a multiply-add), its rate inside the GEMM calls
    /// (per thread; OpenBLAS or ours), its rate over the median step time (the whole step,
    /// everything else included), and the thread-seconds inside GEMM calls over the step time.
    let gemmGflopPerStep: Double
    let gemmGflopsInBlas: Double?
    let gemmGflopsPerStepTime: Double
    let gemmThreadSecondsShare: Double
    let details: [String: BenchValue]

    enum CodingKeys: String, CodingKey {
        case workload, medianS, minS, meanS, medianCleanS, cleanSteps, stepsTimed, warmup, threads, blasThreads, openblasCore, matmulPrecision, gemmKernel,
             peakRssMib, foreignCoresMean, lossFirstLast, losses, timesS, gemmGflopPerStep, gemmGflopsInBlas, gemmGflopsPerStepTime,
             gemmThreadSecondsShare
    }

    /// The fields, then the workload's details at the same level.
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(workload, forKey: .workload)
        try c.encode(medianS, forKey: .medianS)
        try c.encode(minS, forKey: .minS)
        try c.encode(meanS, forKey: .meanS)
        try c.encode(medianCleanS, forKey: .medianCleanS)
        try c.encode(cleanSteps, forKey: .cleanSteps)
        try c.encode(stepsTimed, forKey: .stepsTimed)
        try c.encode(warmup, forKey: .warmup)
        try c.encode(threads, forKey: .threads)
        try c.encode(blasThreads, forKey: .blasThreads)
        try c.encode(openblasCore, forKey: .openblasCore)
        try c.encode(matmulPrecision, forKey: .matmulPrecision)
        try c.encode(gemmKernel, forKey: .gemmKernel)
        try c.encode(peakRssMib, forKey: .peakRssMib)
        try c.encode(foreignCoresMean, forKey: .foreignCoresMean)
        try c.encode(lossFirstLast, forKey: .lossFirstLast)
        try c.encode(losses, forKey: .losses)
        try c.encode(timesS, forKey: .timesS)
        try c.encode(gemmGflopPerStep, forKey: .gemmGflopPerStep)
        try c.encode(gemmGflopsInBlas, forKey: .gemmGflopsInBlas)
        try c.encode(gemmGflopsPerStepTime, forKey: .gemmGflopsPerStepTime)
        try c.encode(gemmThreadSecondsShare, forKey: .gemmThreadSecondsShare)
        try details.encode(to: encoder)
    }
}
