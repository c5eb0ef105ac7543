import Foundation
import Formats
import NN
import Tensor

/// Why training stopped before its end.
public enum TrainingError: Error, CustomStringConvertible {
    case nonFiniteLoss(epoch: Int, step: Int, lastCheckpoint: Int?)
    case checkpointMismatch(String)

    public var description: String {
        switch self {
        case let .nonFiniteLoss(epoch, step, last):
            return "the loss became NaN or infinite at epoch \(epoch + 1), step \(step); stopped without saving. "
                + (last.map { "The last good checkpoint (step \($0)) is where a rerun resumes; lower the learning rate or check the data." }
                   ?? "No checkpoint was written yet; lower the learning rate or check the data.")
        case let .checkpointMismatch(message): return "the checkpoint does not fit the model: \(message)"
        }
    }
}

/// A model, its optimizer and one training step over a batch of example indices.
public protocol TrainingTask: AnyObject {
    /// Parameters saved in checkpoints (model and any learned tokenizer).
    var checkpointParameters: [(name: String, tensor: Tensor)] { get }
    var optimizer: Optimizer { get }
    /// Number of training examples.
    var trainingCount: Int { get }
    /// One optimizer update on the examples `batch`; returns the loss.
    func step(batch: [Int], random: inout RandomStreams) -> Float
    /// Metrics at the end of an epoch (e.g. validation loss).
    func evaluate() -> [String: Double]
}

/// The named random generators of a run, saved in every checkpoint.
public struct RandomStreams: Sendable {
    public var streams: [String: RandomGenerator]

    public init(seed: UInt64, names: [String]) {
        var root = RandomGenerator(seed: seed)
        streams = Dictionary(uniqueKeysWithValues: names.map { ($0, root.split($0)) })
    }

    public subscript(name: String) -> RandomGenerator {
        get { streams[name]! }
        set { streams[name] = newValue }
    }

    var states: [String: [UInt64]] { streams.mapValues(\.state) }

    mutating func restore(_ states: [String: [UInt64]]) {
        for (k, v) in states where v.count == 4 { streams[k] = RandomGenerator(state: v) }
    }
}

/// Epochs of shuffled batches with checkpoints, resume and a metric log (`metrics.jsonl`, one line
/// per epoch). The data order of epoch e comes from the seed and e alone, so a resumed run sees
/// exactly the batches an uninterrupted one would.
public struct TrainingLoop {
    public var epochs: Int
    public var batchSize: Int
    public var seed: UInt64
    /// Checkpoint every this many updates (and at the end of every epoch).
    public var checkpointEvery: Int
    /// Run the task's evaluation every this many epochs (and after the last); other epochs log
    /// the training loss only.
    public var evaluateEvery: Int
    /// For tests: stop (as if killed) after this many updates in this process.
    public var stopAfterSteps: Int?

    public init(epochs: Int, batchSize: Int, seed: UInt64, checkpointEvery: Int = 50, evaluateEvery: Int = 1,
                stopAfterSteps: Int? = nil) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.seed = seed
        self.checkpointEvery = checkpointEvery
        self.evaluateEvery = max(1, evaluateEvery)
        self.stopAfterSteps = stopAfterSteps
    }

    public func batchesPerEpoch(_ count: Int) -> Int { max(1, (count + batchSize - 1) / batchSize) }

    /// The example order of epoch `e`.
    public func order(epoch: Int, count: Int) -> [Int] {
        var rng = RandomGenerator(seed: seed &+ 0x5151 &+ UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15)
        return rng.permutation(count)
    }

    /// Trains `task` to the end (or to `stopAfterSteps`), resuming from the newest checkpoint in
    /// `folder`. Returns the final state.
    @discardableResult
    public func run(_ task: TrainingTask, folder: RunFolder, streams names: [String], label: String,
                    log: (String) -> Void = { _ in }) throws -> TrainingState {
        let store = CheckpointStore(runFolder: folder.path)
        var random = RandomStreams(seed: seed, names: names)
        var state = TrainingState()
        if let saved = store.latest() {
            let byName = Dictionary(uniqueKeysWithValues: task.checkpointParameters.map { ($0.name, $0.tensor) })
            for (name, tensor) in byName {
                guard let t = saved.parameters[name], t.shape == tensor.shape else {
                    throw TrainingError.checkpointMismatch("parameter '\(name)' is \(saved.parameters[name]?.shape.description ?? "missing")")
                }
                tensor.assign(t)
            }
            try task.optimizer.restore(saved.optimizer)
            state = saved.state
            random.restore(state.randomStreams)
            log("\(label): resuming from step \(state.step) (epoch \(state.epoch + 1), batch \(state.batchInEpoch))")
        }
        try MetricLog(path: folder.file("metrics.jsonl")).truncate(toEpochsBefore: state.epoch)
        let perEpoch = batchesPerEpoch(task.trainingCount)
        let bar = ProgressBar(label: label)
        var stepsHere = 0
        while state.epoch < epochs {
            let order = order(epoch: state.epoch, count: task.trainingCount)
            while state.batchInEpoch < perEpoch {
                if let stop = stopAfterSteps, stepsHere >= stop { return state }
                let start = state.batchInEpoch * batchSize
                let batch = Array(order[start..<min(order.count, start + batchSize)])
                let loss = task.step(batch: batch, random: &random)
                guard loss.isFinite else {
                    throw TrainingError.nonFiniteLoss(epoch: state.epoch, step: state.step + 1, lastCheckpoint: store.steps().last)
                }
                state.epochLossSum += Double(loss)
                state.epochLossCount += 1
                state.step += 1
                state.batchInEpoch += 1
                stepsHere += 1
                bar.update(done: state.epoch * perEpoch + state.batchInEpoch, total: epochs * perEpoch,
                           detail: String(format: "epoch %d/%d  loss %.4f", state.epoch + 1, epochs, loss))
                if state.batchInEpoch < perEpoch, state.step % checkpointEvery == 0 {
                    state.randomStreams = random.states
                    try store.save(parameters: task.checkpointParameters, optimizer: task.optimizer.exportState(), state: state)
                }
            }
            let evaluate = (state.epoch + 1) % evaluateEvery == 0 || state.epoch + 1 == epochs
            var metrics = evaluate ? withoutGradient { task.evaluate() } : [:]
            metrics["train_loss"] = state.epochLossCount > 0 ? state.epochLossSum / Double(state.epochLossCount) : .nan
            metrics["learning_rate"] = Double(task.optimizer.currentLearningRate())
            state.epochLossSum = 0
            state.epochLossCount = 0
            try MetricLog(path: folder.file("metrics.jsonl")).append(epoch: state.epoch + 1, step: state.step, metrics: metrics)
            state.epoch += 1
            state.batchInEpoch = 0
            state.lastMetrics = metrics
            state.randomStreams = random.states
            try store.save(parameters: task.checkpointParameters, optimizer: task.optimizer.exportState(), state: state)
        }
        return state
    }
}
