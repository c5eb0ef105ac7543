import Testing
import Foundation
import Pipeline

@Suite struct ConfigTests {
    let dir = TemporaryDirectory()

    func pipelineFile(_ yaml: String, name: String = "p.yaml") -> String { dir.write(name, Array(yaml.utf8)) }

    @Test func anUnknownKeyIsAnErrorThatNamesItAndSuggestsTheNearestKey() throws {
        let file = pipelineFile("name: t\nstages:\n  zoo3d:\n    stepz: 10\n")
        let definition = try PipelineDefinition.load(file)
        let section = try definition.section(for: "zoo3d")
        let error = #expect(throws: ConfigError.self) { try Zoo3DStage(section: section, pipeline: definition) }
        let message = error?.description ?? ""
        #expect(message.contains("stages.zoo3d.stepz") && message.contains("did you mean 'steps'") && message.contains(file))
    }

    @Test func unknownTopLevelKeysWrongTypesAndBadOverridesAreErrors() throws {
        let file = pipelineFile("name: t\nseeed: 3\nstages:\n  zoo2d: {}\n")
        #expect(throws: ConfigError.self) { try PipelineDefinition.load(file) }
        let file2 = pipelineFile("name: t\nstages:\n  zoo2d:\n    train_count: many\n", name: "q.yaml")
        let d = try PipelineDefinition.load(file2)
        #expect(throws: ConfigError.wrongType(file: file2, key: "stages.zoo2d.train_count", expected: "an integer", found: "many")) {
            try Zoo2DStage(section: try d.section(for: "zoo2d"), pipeline: d)
        }
        #expect(throws: ConfigError.badOverride("novalue")) { try PipelineDefinition.load(file2, overrides: ["novalue"], stage: "zoo2d") }
        #expect(throws: ConfigError.unknownStage(file: file2, stage: "pose", known: ["zoo2d"])) { try d.section(for: "pose") }
    }

    @Test func overridesReachTheRightStage() throws {
        let file = pipelineFile("name: t\nseed: 1\nstages:\n  zoo2d:\n    train_count: 5\n  zoo3d:\n    steps: 10\n")
        let d = try PipelineDefinition.load(file, overrides: ["train_count=7", "zoo3d.steps=20", "seed=4", "zoo3d.categories=[a, b c]"],
                                            stage: "zoo2d")
        #expect(d.seed == 4)
        #expect(try Zoo2DStage(section: try d.section(for: "zoo2d"), pipeline: d).settings.trainCount == 7)
        let z3 = try Zoo3DStage(section: try d.section(for: "zoo3d"), pipeline: d)
        #expect(z3.settings.fit.steps == 20 && z3.settings.categories == ["a", "b c"] && z3.settings.seed == 4)
    }

    @Test func theDefaultPipelineFileReadsCleanly() throws {
        let d = try PipelineDefinition.load(fixture("../../../Pipelines/default.yaml"))
        #expect(d.stageNames == ["zoo2d", "zoo3d", "pretrain", "pose"])
        _ = try Zoo2DStage(section: try d.section(for: "zoo2d"), pipeline: d)
        _ = try Zoo3DStage(section: try d.section(for: "zoo3d"), pipeline: d)
        _ = try PretrainStage(section: try d.section(for: "pretrain"), pipeline: d)
        let pose = try PoseStage(section: try d.section(for: "pose"), pipeline: d)
        #expect(pose.dependencies == ["zoo3d", "pretrain"])
        let paper = try PipelineDefinition.load(fixture("../../../Pipelines/paper/default.yaml"))
        for stage in paper.stageNames {
            let type = try #require(StageRunner.type(named: stage))
            _ = try type.init(section: try paper.section(for: stage), pipeline: paper)
        }
        let ablation = try AblationPlan.load(fixture("../../../Pipelines/ablations/pose.yaml"))
        #expect(ablation.cells.count == 2 * 4 * 3)
        #expect(AblationPlan.identifier(ablation.cells[0]) == "init=pretrained,tokenizer=grid,seed=0")
    }

    @Test func aRunFolderRefusesDifferentSettingsAndNamesTheKeys() throws {
        let folder = RunFolder(path: dir.file("run"))
        let a = ConfigNode.mapping([("stage", .mapping([("steps", .scalar("10")), ("workers", .scalar("2"))]))])
        try folder.prepare(settings: a, restart: false, volatile: ["stage.workers"])
        let workers = ConfigNode.mapping([("stage", .mapping([("steps", .scalar("10")), ("workers", .scalar("1"))]))])
        try folder.prepare(settings: workers, restart: false, volatile: ["stage.workers"])
        let steps = ConfigNode.mapping([("stage", .mapping([("steps", .scalar("20")), ("workers", .scalar("1"))]))])
        #expect(throws: ConfigError.changedSettings(runFolder: folder.path, keys: ["stage.steps: 10 → 20"])) {
            try folder.prepare(settings: steps, restart: false, volatile: ["stage.workers"])
        }
        try folder.prepare(settings: steps, restart: true, volatile: [])
    }
}
