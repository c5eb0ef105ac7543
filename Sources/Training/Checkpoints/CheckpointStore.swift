import Foundation
import Formats
import NN
import Tensor

/// Checkpoints in a run folder: `checkpoints/step-NNNNNNN.safetensors` (parameters as
/// `model.<name>`, optimizer moments as `optimizer.<name>.<moment>`) and, written last, its
/// `.json` (training state): a checkpoint counts only once its JSON exists. The newest `keep` are kept.
public struct CheckpointStore: Sendable {
    public let directory: String
    public let keep: Int

    public init(runFolder: String, keep: Int = 3) {
        directory = "\(runFolder)/checkpoints"
        self.keep = keep
    }

    private func base(_ step: Int) -> String { "\(directory)/step-\(String(format: "%07d", step))" }

    /// Steps of the complete checkpoints, newest last.
    public func steps() -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name -> Int? in
            guard name.hasPrefix("step-"), name.hasSuffix(".json") else { return nil }
            let step = Int(name.dropFirst(5).dropLast(5))
            return step.flatMap { FileManager.default.fileExists(atPath: base($0) + ".safetensors") ? $0 : nil }
        }.sorted()
    }

    /// Writes a checkpoint atomically and prunes the oldest beyond `keep`.
    public func save(parameters: [(name: String, tensor: Tensor)], optimizer: OptimizerState, state: TrainingState) throws(FormatError) {
        var tensors: [String: Tensor] = [:]
        for (name, t) in parameters { tensors["model.\(name)"] = t }
        for (name, t) in optimizer.tensors { tensors["optimizer.\(name)"] = t }
        let path = base(state.step)
        try Safetensors.write(tensors, metadata: ["format": "implicit-zoo-checkpoint", "step": "\(state.step)",
                                                  "optimizer_step": "\(optimizer.step)"], to: path + ".safetensors")
        try JSONOutput.write(state, to: path + ".json")
        for old in steps().dropLast(keep) {
            try? FileManager.default.removeItem(atPath: base(old) + ".json")
            try? FileManager.default.removeItem(atPath: base(old) + ".safetensors")
        }
    }

    /// The newest checkpoint that loads: parameters by name, optimizer state and training state.
    /// A damaged newest checkpoint is skipped, with a warning naming it and why, in favour of the one before it.
    public func latest(warn: (String) -> Void = JSONOutput.standardError) -> (parameters: [String: Tensor], optimizer: OptimizerState, state: TrainingState)? {
        for step in steps().reversed() {
            let path = base(step)
            guard let data = FileManager.default.contents(atPath: path + ".json"),
                  let state = JSONOutput.decode(TrainingState.self, from: data),
                  state.step == step, state.epoch >= 0, state.batchInEpoch >= 0, state.epochLossCount >= 0 else {
                warn("\(path).json: not a valid training state for step \(step); skipping this checkpoint")
                continue
            }
            let tensors: [String: Tensor], metadata: [String: String]
            do { (tensors, metadata) = try Safetensors.read(path + ".safetensors") } catch {
                warn("\(error.description); skipping this checkpoint")
                continue
            }
            guard metadata["format"] == "implicit-zoo-checkpoint", let optimizerStep = metadata["optimizer_step"].flatMap({ Int($0) }),
                  optimizerStep >= 0 else {
                warn("\(path).safetensors: metadata lacks format implicit-zoo-checkpoint and optimizer_step; skipping this checkpoint")
                continue
            }
            var parameters: [String: Tensor] = [:], moments: [String: Tensor] = [:]
            for (name, t) in tensors {
                if name.hasPrefix("model.") { parameters[String(name.dropFirst(6))] = t }
                if name.hasPrefix("optimizer.") { moments[String(name.dropFirst(10))] = t }
            }
            return (parameters, OptimizerState(step: optimizerStep, tensors: moments), state)
        }
        return nil
    }

    /// The parameters of the newest checkpoint (to start another stage from them).
    public func latestParameters() -> [String: Tensor]? { latest()?.parameters }
}
