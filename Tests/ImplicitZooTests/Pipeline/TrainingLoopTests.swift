import Testing
import Foundation
import Tensor
import NN
import Tasks
import Pipeline

/// MAE on a few smooth synthetic volumes, tiny enough to train in a test.
final class TinyMAE: TrainingTask {
    let training: MAE3DPretraining
    var nanAtStep: Int?
    private var steps = 0

    init(seed: UInt64 = 3) {
        var c = MAE3DConfiguration()
        c.gridSize = 8
        c.patchSize = 2
        c.dim = 12
        c.depth = 1
        c.heads = 2
        c.decoderDim = 12
        c.decoderDepth = 1
        c.decoderHeads = 2
        var rng = RandomGenerator(seed: 11)
        let volumes = Tensor.uniform([6, 8, 8, 8, 4], rng: &rng)
        var s = MAE3DTrainingSettings()
        s.learningRate = 1e-3
        s.totalSteps = 12
        s.warmupSteps = 2
        training = MAE3DPretraining(config: c, settings: s, trainVolumes: volumes.slice(axis: 0, 0..<5),
                                    validationVolumes: volumes.slice(axis: 0, 5..<6), seed: seed)
    }

    var checkpointParameters: [(name: String, tensor: Tensor)] { training.model.namedParameters }
    var optimizer: Optimizer { training.optimizer }
    var trainingCount: Int { 5 }

    func step(batch: [Int], random: inout RandomStreams) -> Float {
        steps += 1
        if steps == nanAtStep { return .nan }
        return training.step(batch: batch, maskRandom: &random["mask"])
    }

    func evaluate() -> [String: Double] { ["validation_loss": Double(training.validationLoss())] }
}

@Suite struct TrainingLoopTests {
    @Test func aRunInterruptedAndResumedEndsWithBitIdenticalWeights() throws {
        let dir = TemporaryDirectory()
        let loop = TrainingLoop(epochs: 4, batchSize: 2, seed: 5, checkpointEvery: 1)   // 3 batches per epoch
        let straight = TinyMAE()
        try loop.run(straight, folder: RunFolder(path: dir.file("straight")), streams: ["mask"], label: "test")

        var interrupted = loop
        interrupted.stopAfterSteps = 4      // killed mid-epoch 2
        let first = TinyMAE()
        let stopped = try interrupted.run(first, folder: RunFolder(path: dir.file("resumed")), streams: ["mask"], label: "test")
        #expect(stopped.step == 4 && stopped.epoch == 1 && stopped.batchInEpoch == 1)
        let second = TinyMAE(seed: 99)      // a new process: its own (different) initial weights, overwritten by the checkpoint
        let final = try loop.run(second, folder: RunFolder(path: dir.file("resumed")), streams: ["mask"], label: "test")
        #expect(final.step == 12)
        for ((name, a), (_, b)) in zip(straight.checkpointParameters, second.checkpointParameters) {
            #expect(a.values == b.values, "parameter \(name) differs after resuming")
        }
        #expect(MetricLog(path: dir.file("straight/metrics.jsonl")).read() == MetricLog(path: dir.file("resumed/metrics.jsonl")).read())
        #expect(CheckpointStore(runFolder: dir.file("resumed")).steps().count == 3)   // only the newest few are kept
    }

    @Test func aNaNLossStopsTheRunAndKeepsTheLastGoodCheckpoint() throws {
        let dir = TemporaryDirectory()
        let task = TinyMAE()
        task.nanAtStep = 5
        let loop = TrainingLoop(epochs: 3, batchSize: 2, seed: 5, checkpointEvery: 2)
        do {
            try loop.run(task, folder: RunFolder(path: dir.file("run")), streams: ["mask"], label: "test")
            Issue.record("a NaN loss did not stop training")
        } catch let error as TrainingError {
            #expect(error.description.contains("NaN") && error.description.contains("step 4"))
        }
        #expect(CheckpointStore(runFolder: dir.file("run")).steps().last == 4)
    }

    @Test func maeLossFallsUnderTheLoop() throws {
        let dir = TemporaryDirectory()
        let task = TinyMAE()
        let loop = TrainingLoop(epochs: 4, batchSize: 2, seed: 5)
        try loop.run(task, folder: RunFolder(path: dir.file("run")), streams: ["mask"], label: "test")
        let lines = MetricLog(path: dir.file("run/metrics.jsonl")).read()
        #expect(lines.count == 4)
        func loss(_ line: String) -> Double {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return object?["train_loss"] as? Double ?? .nan
        }
        #expect(loss(lines[3]) < loss(lines[0]))
    }
}
