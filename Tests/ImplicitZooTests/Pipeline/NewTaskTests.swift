import Configuration
import Foundation
import NN
import Pipeline
import Tensor
import Testing
import Training

/// What a new task takes: this file (its settings, its training task and its pipeline entry),
/// one line in the stage list (`StageCatalog.builtIn.adding(...)` here, a line in `builtIn` for
/// a task of the program) and one section in the pipeline file.
extension StageName {
    static let line = StageName("line")
}

/// Fits y = a·x + b by SGD: the smallest training task there is.
struct LineSettings: StageSettings, Equatable {
    var slope: Float = 2
    var intercept: Float = -1
    var epochs = 30
    var batchSize = 4
    var learningRate: Float = 0.1
    init() {}

    func validate(_ check: SettingsCheck) throws(ConfigError) {
        try check.range(epochs, 1...10_000, "epochs")
        try check.range(learningRate, 1e-6...10, "learning_rate")
    }
}

final class LineFit: TrainingTask {
    let layer: Linear
    let optimizer: Optimizer
    let x: Tensor, y: Tensor

    init(_ s: LineSettings, seed: UInt64) {
        var rng = RandomGenerator(seed: seed)
        layer = Linear(1, 1, rng: &rng)
        optimizer = SGD([ParameterGroup(layer.namedParameters, learningRate: s.learningRate)])
        let xs = (0..<16).map { Float($0) / 8 - 1 }
        x = Tensor(shape: [16, 1], values: xs)
        y = Tensor(shape: [16, 1], values: xs.map { s.slope * $0 + s.intercept })
    }

    var checkpointParameters: [(name: String, tensor: Tensor)] { layer.namedParameters }
    var trainingCount: Int { 16 }

    func accumulateGradients(batch: [Int], share: Range<Int>, random: inout RandomStreams) -> Float {
        let rows = Array(batch[share])
        let loss = Loss.meanSquaredError(layer(x.indexSelect(axis: 0, rows)), y.indexSelect(axis: 0, rows)) * shareWeight(share, of: batch)
        loss.backward()
        return loss.item
    }

    func applyGradients() { optimizer.step() }

    func evaluate() -> Metrics { ["error": Double(withoutGradient { Loss.meanSquaredError(layer(x), y) }.item)] }
}

enum LineTask: PipelineTask {
    static let stage = StageName.line
    static let summary = "fits a line"
    static func dependencies(_ settings: LineSettings) -> [StageName] { [] }

    struct Summary: Codable, Sendable {
        var slope: Float
        var intercept: Float
        var error: Double?
    }

    static func run(_ settings: LineSettings, context: TaskContext) throws -> Summary? {
        let fit = LineFit(settings, seed: context.seed)
        let state = try TrainingLoop(epochs: settings.epochs, batchSize: settings.batchSize, seed: context.seed)
            .run(fit, folder: context.folder, label: "line")
        return Summary(slope: fit.layer.weight.item, intercept: fit.layer.bias!.item, error: state.lastMetrics["error"])
    }
}

@Suite struct NewTaskTests {
    @Test func aTaskAddedToTheStageListRunsFromItsPipelineSection() throws {
        let dir = TemporaryDirectory("new-task")
        let file = dir.write("p.yaml", Array("name: lines\nseed: 3\nstages:\n  line:\n    slope: 0.5\n    intercept: 1\n".utf8))
        let catalog = StageCatalog.builtIn.adding(TaskStage<LineTask>.self)
        let definition = try PipelineDefinition.load(file, overrides: ["epochs=40"], stage: .line, stages: catalog.names)
        let context = StageContext(pipeline: definition, catalog: catalog, runRoot: dir.path, requestedStage: .line)
        let summary = try #require(try StageRunner.run(.line, context: context))
        let slope = try #require(summary.numbers["slope"]), intercept = try #require(summary.numbers["intercept"])
        #expect(Swift.abs(slope - 0.5) < 0.05 && Swift.abs(intercept - 1) < 0.05, "fitted \(slope)·x + \(intercept)")
        let folder = context.folder(for: .line)
        #expect(folder.isDone && FileManager.default.fileExists(atPath: folder.file("metrics.jsonl")))
        let config = try String(contentsOfFile: folder.file("config.json"), encoding: .utf8)
        #expect(config.contains("\"epochs\" : 40") && config.contains("\"learning_rate\" : 0.1"))
        // Finished: a rerun reports the saved summary; other settings are refused.
        #expect(try StageRunner.run(.line, context: context)?.numbers["slope"] == slope)
        let changed = try PipelineDefinition.load(file, overrides: ["epochs=41"], stage: .line, stages: catalog.names)
        #expect(throws: ConfigError.self) {
            try StageRunner.run(.line, context: StageContext(pipeline: changed, catalog: catalog, runRoot: dir.path, requestedStage: .line))
        }
    }
}
