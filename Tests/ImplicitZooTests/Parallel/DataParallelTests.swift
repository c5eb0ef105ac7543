import Foundation
import Formats
import Tasks
import Tensor
import Testing
import Training
import ZooStore

/// Data-parallel training: the shares of a batch add up to the batch, and `mpirun -np 2` trains
/// the same weights and builds the same zoos as one process.
@Suite struct DataParallelTests {
    @Test func sharesPartitionEveryBatchInOrder() {
        for size in 1...5 {
            for count in 0...11 {
                let shares = (0..<size).map { ProcessGroup.share(of: count, rank: $0, size: size) }
                #expect(shares.flatMap { Array($0) } == Array(0..<count), "\(count) over \(size): \(shares)")
                #expect(shares.map(\.count).max()! - shares.map(\.count).min()! <= 1)
            }
        }
    }

    /// Two shares of a batch, accumulated one after the other, give the whole batch's gradients and
    /// advance the random streams alike (what two ranks compute before their gradients are summed).
    @Test func theGradientsOfTheSharesOfABatchAddUpToTheWholeBatch() {
        let whole = tinyPretraining(), split = tinyPretraining()
        let batch = [4, 0, 2]
        var randomWhole = RandomStreams(seed: 9), randomSplit = RandomStreams(seed: 9)
        whole.optimizer.zeroGrad()
        let lossWhole = whole.accumulateGradients(batch: batch, share: 0..<3, random: &randomWhole)
        split.optimizer.zeroGrad()
        var lossSplit: Float = 0
        for share in [0..<1, 1..<3] {
            var random = randomSplit
            lossSplit += split.accumulateGradients(batch: batch, share: share, random: &random)
            if share == 1..<3 { randomSplit = random }
        }
        #expect(abs(lossWhole - lossSplit) <= 1e-6 * abs(lossWhole))
        for (a, b) in zip(whole.optimizedParameters, split.optimizedParameters) {
            let (ga, gb) = (a.gradientForUpdate().values, b.gradientForUpdate().values)
            let scale = ga.map(abs).max()! + 1e-12
            #expect(zip(ga, gb).map { abs($0 - $1) }.max()! <= 1e-5 * scale)
        }
        #expect(randomWhole[.mask].state == randomSplit[.mask].state)
    }

    static let pipeline = """
        name: dp
        seed: 3
        stages:
          zoo2d:
            train_count: 40
            test_count: 10
            part_size: 4
            fit: {minimum_steps: 30, maximum_steps: 30, target_psnr: 60, network: {layers: 2, width: 16}}
          zoo3d:
            categories: [Bedroom, Kitchen]
            scenes_per_category: 3
            max_triangles: 20000
            scene: {image_size: 16, train_views: 8, held_out_views: 2}
            fit:
              network: {width: 16, depth: 2, view_width: 8, position_frequencies: 4, direction_frequencies: 2}
              steps: 200
              rays_per_step: 128
              samples_per_ray: 16
            gate_psnr: 0
            minimum_scenes_per_class: 1
            held_out_scene_share: 0.34
          pretrain:
            model: {grid_size: 16, patch_size: 4, dim: 24, depth: 2, heads: 2, decoder_dim: 24, decoder_depth: 1, decoder_heads: 2}
            epochs: 20
            batch_size: 2
            warmup_epochs: 1
            figures: 1
          pose:
            train_views: 6
            epochs: 20
            batch_size: 2
            views_per_step: 4
            evaluate_every: 20
            model: {volume_pool: 2, image_channels: [8, 8, 8, 8], pose_depth: 1, head_width: 16}
            refine: {enabled: false}
          classify:
            model: {patch_size: 4, dim: 16, depth: 1, heads: 2}
            epochs: 4
            batch_size: 8
            evaluate_every: 4
        """

    /// Open MPI's launcher, when installed (Debian's openmpi-bin).
    static let mpirun: String? = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin")
        .split(separator: ":").map { "\($0)/mpirun" }.first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs `arguments` in `folder`; fails with the end of its output unless it exits 0.
    static func run(_ arguments: [String], in folder: String) throws {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: arguments[0])
        child.arguments = Array(arguments.dropFirst())
        child.currentDirectoryURL = URL(fileURLWithPath: folder)
        child.environment = ProcessInfo.processInfo.environment.merging(
            ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1", "OMPI_MCA_rmaps_base_oversubscribe": "1"]) { $1 }
        let log = "\(folder)/run.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        child.standardOutput = handle
        child.standardError = handle
        try child.run()
        child.waitUntilExit()
        try handle.close()
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        try #require(child.terminationStatus == 0, "\(arguments.joined(separator: " ")) failed:\n\(output.suffix(3000))")
    }

    /// The 3-D track (zoo3d, pretrain, pose) and the 2-D one (zoo2d, classify) on tiny settings, once
    /// by one process and once by `mpirun -np 2`: zoos identical, and after 20 steps of each
    /// training stage the weights agree to 1e-5 of their norm and the logged losses to 1e-5.
    @Test(.enabled(if: mpirun != nil, "Open MPI's mpirun is not installed (Debian's openmpi-bin)"))
    func twoRanksTrainTheSameWeightsAndBuildTheSameZoosAsOneProcess() throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("pipeline").path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "no pipeline program at \(binary): build it first")
        let dir = TemporaryDirectory("data-parallel")
        dir.write("dp.yaml", Array(Self.pipeline.utf8))
        for folder in ["one", "two"] { try FileManager.default.createDirectory(atPath: dir.file(folder), withIntermediateDirectories: true) }
        for stage in ["pose", "classify"] {
            try Self.run([binary, "run", stage, "--pipeline", dir.file("dp.yaml"), "--threads", "1"], in: dir.file("one"))
            try Self.run([Self.mpirun!, "-np", "2", binary, "run", stage, "--pipeline", dir.file("dp.yaml")], in: dir.file("two"))
        }
        for zoo in ["zoo3d", "zoo2d"] {
            let (a, b) = (try ZooReader(path: dir.file("one/Checkpoints/dp/\(zoo)/zoo.h5")), try ZooReader(path: dir.file("two/Checkpoints/dp/\(zoo)/zoo.h5")))
            #expect(a.names == b.names && a.labels == b.labels && a.psnr == b.psnr && a.sourceIdentities == b.sourceIdentities)
            let (pa, pb) = (try a.parameters(rows: 0..<a.count), try b.parameters(rows: 0..<b.count))
            #expect(pa.keys.sorted() == pb.keys.sorted() && pa.allSatisfy { $0.value.values == pb[$0.key]?.values }, "\(zoo)")
        }
        for stage in ["pretrain", "pose", "classify"] {
            let (a, b) = (CheckpointStore(runFolder: dir.file("one/Checkpoints/dp/\(stage)")), CheckpointStore(runFolder: dir.file("two/Checkpoints/dp/\(stage)")))
            let (last, other) = (try #require(a.latest()), try #require(b.latest()))
            #expect(last.state.step == 20 && other.state.step == 20, "\(stage)")
            var difference = 0.0, norm = 0.0
            for (name, tensor) in last.parameters {
                let mine = tensor.values, theirs = try #require(other.parameters[name]?.values)
                difference += zip(mine, theirs).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +)
                norm += mine.map { Double($0) * Double($0) }.reduce(0, +)
            }
            #expect((difference / norm).squareRoot() <= 1e-5, "\(stage): weights differ by \((difference / norm).squareRoot()) of their norm")
            let losses = try [dir.file("one/Checkpoints/dp/\(stage)/metrics.jsonl"), dir.file("two/Checkpoints/dp/\(stage)/metrics.jsonl")].map { path in
                try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").compactMap {
                    (try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["train_loss"] as? Double
                }
            }
            #expect(losses[0].count == losses[1].count && zip(losses[0], losses[1]).allSatisfy { abs($0 - $1) <= 1e-5 * abs($0) }, "\(stage): \(losses)")
        }
    }
}
