import Testing
import Foundation
import Tensor
import Pipeline

@Suite struct BenchTests {
    @Test func benchPrintsOneJSONObjectWithTheRequiredFields() throws {
        let line = try #require(BenchRunner(steps: 2, warmup: 0).run("nerf"))
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["workload"] as? String == "nerf")
        #expect((object["median_s"] as? Double ?? 0) > 0)
        #expect(object["threads"] as? Int == Runtime.threads)
        #expect((object["openblas_core"] as? String)?.isEmpty == false)
        #expect(BenchRunner().run("no-such-workload") == nil)
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
