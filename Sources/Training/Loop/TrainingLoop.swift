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

/// Epochs of shuffled batches with checkpoints, resume and a metric log (`metrics.jsonl`, one line
/// per epoch). The data order of epoch e comes from the seed and e alone, so a resumed run sees
/// exactly the batches an uninterrupted one would. Over the ranks of an MPI job the loop is data
/// parallel: every rank computes its share of each global batch, the gradients are summed, every
/// rank applies the same update; the root alone evaluates and writes checkpoints and the log, and
/// every rank resumes from the root's checkpoints.
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
    /// The processes that train together (this one alone by default).
    public var processes: ProcessGroup = .single

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
    public func run(_ task: TrainingTask, folder: String, label: String, log: (String) -> Void = { _ in }) throws -> TrainingState {
        let store = CheckpointStore(runFolder: folder)
        let root = processes.isRoot
        var random = RandomStreams(seed: seed)
        var state = TrainingState()
        if let saved = store.latest(warn: root ? JSONOutput.standardError : { _ in }) {
            do {
                try loadParameters(task.checkpointParameters, from: saved.parameters, allowExtra: true)
            } catch {
                throw TrainingError.checkpointMismatch("\(error)")
            }
            try task.optimizer.restore(saved.optimizer)
            state = saved.state
            random.restore(state.randomStreams)
            if root { log("\(label): resuming from step \(state.step) (epoch \(state.epoch + 1), batch \(state.batchInEpoch))") }
        }
        try processes.checkAgreement(state.step, "the step to resume from in \(store.directory)")
        let metricLog = MetricLog(path: "\(folder)/metrics.jsonl")
        if root { try metricLog.truncate(toEpochsBefore: state.epoch) }
        let perEpoch = batchesPerEpoch(task.trainingCount)
        guard state.batchInEpoch <= perEpoch else {
            throw TrainingError.checkpointMismatch("the checkpoint in \(store.directory) is at batch \(state.batchInEpoch) of an epoch of \(perEpoch) batches; it belongs to other settings")
        }
        let bar = root ? ProgressBar(label: label) : nil
        var stepsHere = 0
        while state.epoch < epochs {
            let order = order(epoch: state.epoch, count: task.trainingCount)
            while state.batchInEpoch < perEpoch {
                if let stop = stopAfterSteps, stepsHere >= stop { return state }
                let start = state.batchInEpoch * batchSize
                let batch = Array(order[start..<min(order.count, start + batchSize)])
                task.optimizer.zeroGrad()
                var loss = task.accumulateGradients(batch: batch, share: processes.share(of: batch.count), random: &random)
                loss = processes.sumGradients(task.optimizedParameters, loss: loss)
                task.applyGradients()
                guard loss.isFinite else {
                    throw TrainingError.nonFiniteLoss(epoch: state.epoch, step: state.step + 1, lastCheckpoint: store.steps().last)
                }
                state.epochLossSum += Double(loss)
                state.epochLossCount += 1
                state.step += 1
                state.batchInEpoch += 1
                stepsHere += 1
                bar?.update(done: state.epoch * perEpoch + state.batchInEpoch, total: epochs * perEpoch,
                           detail: String(format: "epoch %d/%d  loss %.4f", state.epoch + 1, epochs, loss))
                if root, state.batchInEpoch < perEpoch, state.step % checkpointEvery == 0 {
                    state.randomStreams = random.states
                    try store.save(parameters: task.checkpointParameters, optimizer: task.optimizer.exportState(), state: state)
                }
            }
            let evaluate = root && ((state.epoch + 1) % evaluateEvery == 0 || state.epoch + 1 == epochs)
            var metrics = evaluate ? withoutGradient { task.evaluate() } : [:]
            metrics["train_loss"] = state.epochLossCount > 0 ? state.epochLossSum / Double(state.epochLossCount) : .nan
            metrics["learning_rate"] = Double(task.optimizer.currentLearningRate())
            state.epochLossSum = 0
            state.epochLossCount = 0
            if root { try metricLog.append(epoch: state.epoch + 1, step: state.step, metrics: metrics) }
            state.epoch += 1
            state.batchInEpoch = 0
            state.lastMetrics = metrics.filter { $0.value.isFinite }
            state.randomStreams = random.states
            if root { try store.save(parameters: task.checkpointParameters, optimizer: task.optimizer.exportState(), state: state) }
        }
        return state
    }
}
