import Testing
import Tensor

/// Parallel regions run on a pool of persistent workers, one job at a time; a caller that finds the
/// pool busy runs its region on the dispatch queue instead. Results must not depend on which.
@Suite struct ParallelRegionTests {
    /// A product split across workers, a layer norm and an elementwise op large enough to split,
    /// with their gradients: one fixed workload whose values any path must reproduce.
    static func workload(seed: UInt64) -> [Float] {
        var d = TestData(seed: seed)
        let x = d.input([300, 70]), w = d.input([90, 70]), b = d.input([90])
        let y = Tensor.layerNorm(Tensor.linear(x, weight: w, bias: b).gelu(), weight: nil, bias: nil)
        (y * y).sum().backward()
        return y.values + x.grad!.values + w.grad!.values
    }

    @Test func concurrentCallersGetTheSameResultsAsOneAlone() async {
        let alone = (0..<6).map { seed in Runtime.withThreads(2) { Self.workload(seed: UInt64(seed)) } }
        let together = await withTaskGroup(of: (Int, [Float]).self) { group in
            for seed in 0..<6 {
                group.addTask { (seed, Runtime.withThreads(2) { Self.workload(seed: UInt64(seed)) }) }
            }
            var results = [[Float]](repeating: [], count: 6)
            for await (seed, values) in group { results[seed] = values }
            return results
        }
        #expect(together == alone)
    }
}
