import Testing
import Foundation
import Tensor
import Pipeline

@Suite struct BenchTests {
    @Test func benchPrintsOneJSONObjectWithTheRequiredFields() throws {
        // A tiny NeRF step: the report's shape, not its speed, is under test.
        let line = BenchRunner(steps: 2, warmup: 1).run(name: "nerf") { NeRFWorkload(rng: &$0, rays: 16, samples: 8, width: 8) }
        #expect(!line.contains("\n"))
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["workload"] as? String == "nerf")
        #expect((object["median_s"] as? Double ?? 0) > 0 && (object["times_s"] as? [Double])?.count == 2)
        #expect(object["threads"] as? Int == Runtime.threads && object["steps_timed"] as? Int == 2)
        #expect((object["openblas_core"] as? String)?.isEmpty == false)
        #expect(object["rays"] as? Int == 16 && object["samples_per_ray"] as? Int == 8 && object["width"] as? Int == 8)
        #expect(BenchRunner().run("no-such-workload") == nil)
        #expect(Set(BenchCatalog.names) == ["mae3d", "vit_tiny", "pose", "nerf", "nerf_zoo", "siren_fit", "classify", "segment", "siren_query", "sgemm"])
    }

    /// The matrix-product work a step reports is counted call by call: one 1024³ product is 2·1024³
    /// FLOP. The count is process-wide, so the bench runs in a process of its own (tests run side by side).
    @Test func matrixProductWorkIsCountedExactly() throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("pipeline").path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "no pipeline program at \(binary): build it first")
        let child = Process()
        child.executableURL = URL(fileURLWithPath: binary)
        child.arguments = ["bench", "--workload", "sgemm", "--steps", "2", "--warmup", "1", "--threads", "1"]
        let pipe = Pipe()
        child.standardOutput = pipe
        child.standardError = FileHandle.nullDevice
        try child.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        let object = try #require(JSONSerialization.jsonObject(with: output) as? [String: Any])
        #expect(object["gemm_gflop_per_step"] as? Double == 2.147484)
        let rate = try #require(object["gemm_gflops_in_blas"] as? Double)
        #expect(rate > 0 && (object["gemm_thread_seconds_share"] as? Double ?? 0) > 0.5)
    }

    /// The pose workload is a real training step: on one fixed batch its loss falls.
    @Test func thePoseWorkloadFitsItsBatch() {
        var rng = RandomGenerator(seed: 4)
        let pose = PoseWorkload(rng: &rng, scenes: 1, viewsPerScene: 3)
        let losses = (0..<4).map { _ in pose.step() }
        #expect(losses.allSatisfy(\.isFinite) && losses[3] < losses[0], "\(losses)")
    }

    @Test func slowOpenBLASCoresAreReplacedOnlyWhenTheCPUCanDoBetter() {
        let avx512: Set<String> = ["avx2", "fma", "avx512f", "avx512vl"]
        #expect(BLASCore.betterCoreType(current: "Prescott", cpuFlags: avx512) == "SkylakeX")
        #expect(BLASCore.betterCoreType(current: "Prescott", cpuFlags: avx512.union(["avx512_bf16"])) == "Cooperlake")
        #expect(BLASCore.betterCoreType(current: "Prescott", cpuFlags: ["avx2", "fma"]) == "Haswell")
        #expect(BLASCore.betterCoreType(current: "Prescott", cpuFlags: ["sse3"]) == nil)
        #expect(BLASCore.betterCoreType(current: "Cooperlake", cpuFlags: avx512) == nil)
        #expect(BLASCore.betterCoreType(current: "Zen", cpuFlags: avx512) == nil)
    }
}
