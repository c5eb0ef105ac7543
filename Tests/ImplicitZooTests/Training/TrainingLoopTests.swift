import Foundation
import Formats
import NN
import Tasks
import Tensor
import Testing
import Training

/// MAE pretraining on a few random volumes, tiny enough to train in a test.
func tinyPretraining(seed: UInt64 = 3, epochs: Int = 4, horizontalSymmetries: Bool = false) -> MAE3DPretraining {
    var s = PretrainSettings()
    s.horizontalSymmetries = horizontalSymmetries
    s.model.gridSize = 8
    s.model.patchSize = 2
    s.model.dim = 12
    s.model.depth = 1
    s.model.heads = 2
    s.model.decoderDim = 12
    s.model.decoderDepth = 1
    s.model.decoderHeads = 2
    s.learningRate = 1e-3
    s.epochs = epochs
    s.batchSize = 2
    s.warmupEpochs = 1
    var rng = RandomGenerator(seed: 11)
    let volumes = Tensor.uniform([6, 8, 8, 8, 4], rng: &rng)
    return MAE3DPretraining(settings: s, trainVolumes: volumes.slice(axis: 0, 0..<5), validationVolumes: volumes.slice(axis: 0, 5..<6),
                            seed: seed)
}

/// A task whose loss turns NaN at a given step.
final class FailingTask: TrainingTask {
    let layer: Linear
    let optimizer: Optimizer
    let nanAtStep: Int
    private var steps = 0

    init(nanAtStep: Int) {
        var rng = RandomGenerator(seed: 1)
        layer = Linear(2, 1, rng: &rng)
        optimizer = SGD([ParameterGroup(layer.namedParameters, learningRate: 0.01)])
        self.nanAtStep = nanAtStep
    }

    var checkpointParameters: [(name: String, tensor: Tensor)] { layer.namedParameters }
    var trainingCount: Int { 6 }

    func accumulateGradients(batch: [Int], share: Range<Int>, random: inout RandomStreams) -> Float {
        steps += 1
        return steps == nanAtStep ? .nan : Float(steps)
    }

    func applyGradients() {}

    func evaluate() -> Metrics { [:] }
}

@Suite struct TrainingLoopTests {
    @Test func aRunInterruptedAndResumedEndsWithBitIdenticalWeights() throws {
        let dir = TemporaryDirectory()
        let loop = TrainingLoop(epochs: 4, batchSize: 2, seed: 5, checkpointEvery: 1)   // 3 batches per epoch
        // Volumes turned by random symmetries: that stream resumes exactly too.
        let straight = tinyPretraining(horizontalSymmetries: true)
        try loop.run(straight, folder: dir.file("straight"), label: "test")

        var interrupted = loop
        interrupted.stopAfterSteps = 4      // killed mid-epoch 2
        let stopped = try interrupted.run(tinyPretraining(horizontalSymmetries: true), folder: dir.file("resumed"), label: "test")
        #expect(stopped.step == 4 && stopped.epoch == 1 && stopped.batchInEpoch == 1)
        let second = tinyPretraining(seed: 99, horizontalSymmetries: true)      // a new process: its own initial weights, overwritten by the checkpoint
        let final = try loop.run(second, folder: dir.file("resumed"), label: "test")
        #expect(final.step == 12)
        for ((name, a), (_, b)) in zip(straight.checkpointParameters, second.checkpointParameters) {
            #expect(a.values == b.values, "parameter \(name) differs after resuming")
        }
        #expect(MetricLog(path: dir.file("straight/metrics.jsonl")).read() == MetricLog(path: dir.file("resumed/metrics.jsonl")).read())
        #expect(CheckpointStore(runFolder: dir.file("resumed")).steps().count == 3)   // only the newest few are kept
    }

    @Test func aNaNLossStopsTheRunAndKeepsTheLastGoodCheckpoint() throws {
        let dir = TemporaryDirectory()
        let loop = TrainingLoop(epochs: 3, batchSize: 2, seed: 5, checkpointEvery: 2)
        do {
            try loop.run(FailingTask(nanAtStep: 5), folder: dir.file("run"), label: "test")
            Issue.record("a NaN loss did not stop training")
        } catch let error as TrainingError {
            #expect(error.description.contains("NaN") && error.description.contains("step 5") && error.description.contains("(step 4)"))
        }
        #expect(CheckpointStore(runFolder: dir.file("run")).steps().last == 4)
    }

    @Test func maeLossFallsUnderTheLoopAndTheLogHasOneLinePerEpoch() throws {
        let dir = TemporaryDirectory()
        let loop = TrainingLoop(epochs: 4, batchSize: 2, seed: 5)
        try loop.run(tinyPretraining(), folder: dir.file("run"), label: "test")
        let lines = MetricLog(path: dir.file("run/metrics.jsonl")).read()
        #expect(lines.count == 4)
        func field(_ line: String, _ key: String) -> Double? {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return object?[key] as? Double
        }
        #expect(field(lines[3], "train_loss")! < field(lines[0], "train_loss")!)
        #expect(field(lines[3], "validation_loss") != nil && field(lines[3], "epoch") == 4)
    }

    @Test func aNonFiniteMetricIsWrittenAsNullWithAWarningNamingIt() throws {
        let dir = TemporaryDirectory()
        let log = MetricLog(path: dir.file("metrics.jsonl"))
        try log.append(epoch: 1, step: 3, metrics: ["train_loss": 0.5, "validation_loss": .nan])
        let line = try #require(log.read().first)
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["validation_loss"] is NSNull && object["train_loss"] as? Double == 0.5)
        let warnings = Warnings()
        _ = try JSONOutput.data(["a": 1, "b": Double.infinity], warn: { warnings.add($0) })
        #expect(warnings.all == ["b is NaN or infinite; written as null"])
    }

    @Test func randomStreamsAreDerivedFromTheSeedAndTheName() {
        var a = RandomStreams(seed: 4), b = RandomStreams(seed: 4)
        let first = a[.mask].next()
        #expect(b[.mask].next() == first)
        #expect(a[.views].next() != first)
        #expect(a[.mask].next() != first)     // the stream advanced
    }
}

/// Collects warnings from any thread.
final class Warnings: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}
