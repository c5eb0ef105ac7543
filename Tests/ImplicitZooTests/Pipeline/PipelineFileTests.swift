import Configuration
import Fields
import Foundation
import Pipeline
import Tasks
import Testing
import Training
import Zoo

@Suite struct PipelineFileTests {
    let dir = TemporaryDirectory()

    func pipelineFile(_ yaml: String, name: String = "p.yaml") -> String { dir.write(name, Array(yaml.utf8)) }

    @Test func theBuiltInDefaultIsTheDefaultFileAndEveryStageReadsCleanly() throws {
        let file = try String(contentsOfFile: fixture("../../../Pipelines/default.yaml"), encoding: .utf8)
        #expect(BuiltInPipeline.text == file)
        let d = try PipelineDefinition.load(fixture("../../../Pipelines/default.yaml"))
        #expect(d.stageNames == [.zoo2d, .zoo2dSegment, .zoo3d, .pretrain, .pose, .classify, .segment] && d.name == "default")
        let classify = try d.settings(for: .classify, as: ClassifySettings.self)
        #expect(classify == ClassifySettings() && ClassifyTask.dependencies(classify) == [.zoo2d])
        let zoo2d = try d.settings(for: .zoo2d, as: Zoo2DSettings.self)
        #expect(zoo2d.trainCount == Zoo2DSettings().trainCount && zoo2d.testCount == Zoo2DSettings().testCount && zoo2d.fit == SIRENFitSettings())
        let rooms = try d.settings(for: .zoo2dSegment, as: SegmentationZooSettings.self)
        #expect(rooms == SegmentationZooSettings() && rooms.zoo.source == .furnitureRooms)
        let segment = try d.settings(for: .segment, as: SegmentSettings.self)
        #expect(segment == SegmentSettings() && SegmentTask.dependencies(segment) == [.zoo2dSegment])
        let zoo3d = try d.settings(for: .zoo3d, as: Zoo3DSettings.self)
        #expect(zoo3d.fit.network.width == 64 && zoo3d.fit.steps == 800 && zoo3d.categories.count == 5)
        let pose = try d.settings(for: .pose, as: PoseSettings.self)
        #expect(PoseTask.dependencies(pose) == [.zoo3d, .pretrain] && pose.viewsPerStep == 16)
        #expect(try d.settings(for: .pretrain, as: PretrainSettings.self).model.maskRatio == 0.8)
        let paper = try PipelineDefinition.load(fixture("../../../Pipelines/paper/default.yaml"))
        #expect(try paper.settings(for: .zoo3d, as: Zoo3DSettings.self).fit.steps == 20_000)
        #expect(try paper.settings(for: .zoo2d, as: Zoo2DSettings.self).source == .cifar10)
        #expect(try paper.settings(for: .pose, as: PoseSettings.self).epochs == 100)
        let ablation = try AblationPlan.load(fixture("../../../Pipelines/ablations/pose.yaml"))
        #expect(ablation.cells.count == 2 * 4 * 3 && ablation.stage == .pose)
        #expect(AblationPlan.identifier(ablation.cells[0]) == "init=pretrained,tokenizer=grid,seed=0")
        // Every cell decodes and is valid: a learnable tokenizer or a scratch encoder fine-tunes every block.
        for cell in ablation.cells {
            let cellPose = try cellPipeline(ablation, cell).settings(for: .pose, as: PoseSettings.self)
            #expect(cellPose.fineTunedBlocks == nil && cellPose.epochs == 50 && !cellPose.refine.enabled && !cellPose.model.anchorComparison)
            try cellPose.validate(SettingsCheck(file: "pose.yaml", path: "stages.pose"))
        }
        let segmentation = try AblationPlan.load(fixture("../../../Pipelines/ablations/segmentation.yaml"))
        #expect(segmentation.cells.count == 3 * 3 && segmentation.stage == .segment)
        // The study: eight categories of 45 models; pose trains for a number of steps, so a run on
        // fewer scenes takes more epochs (30 scenes: 2 batches of 16 an epoch, 500 epochs for 1,000 steps).
        let study = try PipelineDefinition.load(fixture("../../../Pipelines/study.yaml"))
        let studyZoo = try study.settings(for: .zoo3d, as: Zoo3DSettings.self)
        #expect(studyZoo.categories.count * studyZoo.scenesPerCategory == 360 && studyZoo.includeTextured)
        let studyPose = try study.settings(for: .pose, as: PoseSettings.self)
        #expect(studyPose.loop(seed: 0, trainingScenes: 30).epochs == 500 && studyPose.loop(seed: 0, trainingScenes: 300).epochs == 53)
        // The comparing head on scenes turned at every step, the encoder frozen.
        #expect(studyPose.sceneTurns && !studyPose.model.objectFrame && studyPose.freezeVolumeEncoder)
        #expect(studyPose.model.rotationAnchors == 128 && studyPose.model.anchorComparison && studyPose.model.anchorComparisonWeight == 10)
        try studyPose.validate(SettingsCheck(file: "study.yaml", path: "stages.pose"))
        #expect(pose.loop(seed: 0, trainingScenes: 32).epochs == 75 && pose.fineTunedBlocks == 4)
        #expect(pose.model.rotationAnchors == 128 && pose.model.anchorComparison && pose.model.anchorComparisonWeight == 10 && pose.volumeSearch.enabled
                && pose.renderedViews.count == 0 && pose.sceneTurns)
        let scenes = try AblationPlan.load(fixture("../../../Pipelines/ablations/study-scenes.yaml"))
        #expect(scenes.cells.count == 3 * 2 * 3 && scenes.stage == .pose)
        // Every cell decodes; the last scene count is the whole zoo (a count over its 270 training scenes would stop the cell).
        let sceneCounts = try scenes.cells.map { try cellPipeline(scenes, $0).settings(for: .pose, as: PoseSettings.self).trainScenes }
        #expect(Set(sceneCounts) == [30, 100, nil])
        // Every cell is the regressor in the object's frame, valid.
        for cell in scenes.cells {
            let cellPose = try cellPipeline(scenes, cell).settings(for: .pose, as: PoseSettings.self)
            #expect(cellPose.model.objectFrame && cellPose.model.objectFrameHead == .canonical && !cellPose.model.anchorComparison)
            try cellPose.validate(SettingsCheck(file: "study-scenes.yaml", path: "stages.pose"))
        }
        // Pretrained against scratch on every training scene, five seeds (the outer axis), for the study's
        // comparing head and for the regressor in the object's frame (the two variants).
        let encoders = try AblationPlan.load(fixture("../../../Pipelines/ablations/study-encoders.yaml"))
        #expect(encoders.cells.count == 2 * 5 * 2 && encoders.stage == .pose && encoders.repeatAxis == "pose.seed")
        #expect(encoders.axes.first?.key == "pose.seed" && encoders.variants.map(\.name) == ["comparing", "regressor"])
        for cell in encoders.cells {
            let cellPose = try cellPipeline(encoders, cell).settings(for: .pose, as: PoseSettings.self)
            try cellPose.validate(SettingsCheck(file: "study-encoders.yaml", path: "stages.pose"))
            let regressor = cell.contains { $0.key == AblationPlan.variantAxis && $0.value == "regressor" }
            #expect(cellPose.model.anchorComparison != regressor && cellPose.model.objectFrame == regressor)
            #expect(!cellPose.search.enabled && cellPose.trainScenes == nil && cellPose.learningRate == 3e-4)
            // The quarter check runs; the local search, its control and the volume search do not.
            #expect(cellPose.quarterCheck && !cellPose.localSearch.enabled && !cellPose.localSearch.fromRandomPoses && !cellPose.volumeSearch.enabled)
        }
        #expect(try scenes.cells.allSatisfy { try !cellPipeline(scenes, $0).settings(for: .pose, as: PoseSettings.self).localSearch.fromRandomPoses })
        // Table 2: six tokenizer rows, the images baseline and a control, five seeds each, every cell a valid classify run.
        let table2 = try AblationPlan.load(fixture("../../../Pipelines/ablations/tokenizers.yaml"))
        #expect(table2.cells.count == 8 * 5 && table2.stage == .classify && table2.variedStages == ["classify"])
        for cell in table2.cells.prefix(8) {
            try cellPipeline(table2, cell).settings(for: .classify, as: ClassifySettings.self).validate(SettingsCheck(file: "t", path: "classify"))
        }
    }

    /// The pipeline one ablation cell runs, its file found from the repository root.
    private func cellPipeline(_ plan: AblationPlan, _ cell: [(key: String, value: String)]) throws -> PipelineDefinition {
        try PipelineDefinition.load(plan.pipeline.hasPrefix("/") ? plan.pipeline : fixture("../../../" + plan.pipeline),
                                    overrides: plan.overrides(for: cell), stage: plan.stage)
    }

    @Test func withoutAFileTheBuiltInDefaultRuns() throws {
        let d = try PipelineDefinition.load(stages: StageCatalog.builtIn.names, directory: dir.path)   // no Pipelines/ there
        #expect(d.file == BuiltInPipeline.file && d.name == "default" && d.stageNames.count == 7)
        dir.write("Pipelines/default.yaml", Array("name: mine\nstages: {zoo2d: {}}\n".utf8))
        #expect(try PipelineDefinition.load(directory: dir.path).name == "mine")
    }

    @Test func unknownTopLevelKeysBadOverridesAndBadNamesAreErrors() throws {
        let file = pipelineFile("name: t\nseeed: 3\nstages:\n  zoo2d: {}\n")
        #expect(throws: ConfigError.unknownKey(file: file, section: "", key: "seeed", known: ["name", "description", "seed", "stages"])) {
            try PipelineDefinition.load(file)
        }
        let file2 = pipelineFile("name: t\nstages:\n  zoo2d:\n    train_count: many\n", name: "q.yaml")
        let d = try PipelineDefinition.load(file2)
        #expect(throws: ConfigError.wrongType(file: file2, key: "stages.zoo2d.train_count", expected: "an integer", found: "many")) {
            try d.settings(for: .zoo2d, as: Zoo2DSettings.self)
        }
        #expect(throws: ConfigError.badOverride("novalue")) { try PipelineDefinition.load(file2, overrides: ["novalue"], stage: .zoo2d) }
        let outside = pipelineFile("name: ../..\nstages: {}\n", name: "r.yaml")
        #expect(throws: ConfigError.self) { try PipelineDefinition.load(outside) }
        let context = StageContext(pipeline: d, runRoot: dir.path, requestedStage: StageName("zoo4d"))
        #expect(throws: ConfigError.unknownStage(file: file2, stage: "zoo4d", known: ["zoo2d", "zoo2d_seg", "zoo3d", "pretrain", "pose", "classify", "segment"])) {
            try StageRunner.run(StageName("zoo4d"), context: context)
        }
    }

    @Test func overridesReachTheRightStage() throws {
        let file = pipelineFile("name: t\nseed: 1\nstages:\n  zoo2d:\n    train_count: 5\n  zoo3d:\n    fit: {steps: 10}\n")
        let d = try PipelineDefinition.load(file, overrides: ["train_count=7", "zoo3d.fit.steps=20", "seed=4", "zoo3d.categories=[a, b c]",
                                                              "pose.epochs=3"],
                                            stage: .zoo2d, stages: StageCatalog.builtIn.names)
        #expect(d.seed == 4)
        #expect(try d.settings(for: .zoo2d, as: Zoo2DSettings.self).trainCount == 7)
        let z3 = try d.settings(for: .zoo3d, as: Zoo3DSettings.self)
        #expect(z3.fit.steps == 20 && z3.categories == ["a", "b c"] && z3.fit.raysPerStep == Zoo3DSettings().fit.raysPerStep)
        // Objects too large for the cameras' frame, and folder scenes without an extent, are refused.
        let big = try PipelineDefinition.load(file, overrides: ["scene.object_half_size=0.9"], stage: .zoo3d)
        #expect(throws: ConfigError.self) { try big.settings(for: .zoo3d, as: Zoo3DSettings.self) }
        let folders = try PipelineDefinition.load(file, overrides: ["source=scenes", "path=/data"], stage: .zoo3d)
        #expect(throws: ConfigError.invalidValue(file: file, key: "stages.zoo3d.volume_extent",
                                                 reason: "scenes read from a folder have no known size: set the extent volumes are sampled in")) {
            try folders.settings(for: .zoo3d, as: Zoo3DSettings.self)
        }
        #expect(z3.resolvedVolumeExtent == 0.75 * 31 / 29)
        // A stage the file has no section for takes its defaults, with the overrides given.
        #expect(try d.settings(for: .pose, as: PoseSettings.self).epochs == 3)
    }

    @Test func decoderBiasOffsetsAreReadAndChecked() throws {
        let model = "model: {decoder_heads: 2, decoder_distance_bias: [2, 1], decoder_bias_offsets: [[1, 0, 0], [0, -1, 0.5]]}"
        let file = pipelineFile("name: t\nseed: 1\nstages:\n  pretrain:\n    \(model)\n")
        let read = try PipelineDefinition.load(file, stage: .pretrain).settings(for: .pretrain, as: PretrainSettings.self).model
        #expect(read.decoderBiasOffsets == [[1, 0, 0], [0, -1, 0.5]])
        #expect(read.decoderBias?.offsets == [SIMD3(1, 0, 0), SIMD3(0, -1, 0.5)])
        let key = "stages.pretrain.model.decoder_bias_offsets"
        let unmoored = try PipelineDefinition.load(file, overrides: ["model.decoder_distance_bias=null"], stage: .pretrain)
        #expect(throws: ConfigError.invalidValue(file: file, key: key, reason: "offsets move the distance bias, so decoder_distance_bias must be set")) {
            try unmoored.settings(for: .pretrain, as: PretrainSettings.self)
        }
        let three = try PipelineDefinition.load(file, overrides: ["model.decoder_heads=3", "model.decoder_distance_bias=[2, 1, 0]"], stage: .pretrain)
        #expect(throws: ConfigError.invalidValue(file: file, key: key, reason: "2 offsets for 3 decoder heads (one [x, y, z] a head)")) {
            try three.settings(for: .pretrain, as: PretrainSettings.self)
        }
        let short = pipelineFile("name: t\nseed: 1\nstages:\n  pretrain:\n    \(model.replacingOccurrences(of: "[0, -1, 0.5]", with: "[0, -1]"))\n",
                                 name: "short.yaml")
        #expect(throws: ConfigError.self) { try PipelineDefinition.load(short, stage: .pretrain).settings(for: .pretrain, as: PretrainSettings.self) }
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
        let json = try #require(FileManager.default.contents(atPath: folder.file("config.json")))
        let object = try #require(JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect((object["stage"] as? [String: Any])?["steps"] as? Int == 20)
        // A setting added since, at its null default, still resumes; set to a value, it does not.
        let added = ConfigNode.mapping([("stage", .mapping([("steps", .scalar("20")), ("workers", .scalar("1")), ("limit", .null)]))])
        try folder.prepare(settings: added, restart: false, volatile: [])
        let set = ConfigNode.mapping([("stage", .mapping([("steps", .scalar("20")), ("workers", .scalar("1")), ("limit", .scalar("3"))]))])
        #expect(throws: ConfigError.changedSettings(runFolder: folder.path, keys: ["stage.limit: null → 3"])) {
            try folder.prepare(settings: set, restart: false, volatile: [])
        }
        // So does one added at a non-null default, which the stage's defaults name.
        let defaults = ConfigNode.mapping([("stage", .mapping([("steps", .scalar("5")), ("turns", .scalar("false"))]))])
        let turnsOff = ConfigNode.mapping([("stage", .mapping([("steps", .scalar("20")), ("workers", .scalar("1")), ("turns", .scalar("false"))]))])
        let older = RunFolder(path: dir.file("older"))
        try older.prepare(settings: steps, restart: false, volatile: [])
        #expect(throws: ConfigError.self) { try older.prepare(settings: turnsOff, restart: false, volatile: []) }
        try older.prepare(settings: turnsOff, defaults: defaults, restart: false, volatile: [])
        let turnsOn = ConfigNode.mapping([("stage", .mapping([("steps", .scalar("20")), ("workers", .scalar("1")), ("turns", .scalar("true"))]))])
        #expect(throws: ConfigError.changedSettings(runFolder: older.path, keys: ["stage.turns: false → true"])) {
            try older.prepare(settings: turnsOn, defaults: defaults, restart: false, volatile: [])
        }
    }

    /// `--restart` empties only a run folder of this program: never the working folder, one above
    /// it, the home folder or a folder of other files.
    @Test func restartRemovesOnlyRunFolders() throws {
        let settings = ConfigNode.mapping([("stage", .mapping([("steps", .scalar("1"))]))])
        let others = RunFolder(path: dir.file("mine"))
        dir.write("mine/thesis.tex", Array("keep me".utf8))
        do {
            try others.prepare(settings: settings, restart: true, volatile: [])
            Issue.record("--restart removed a folder of other files")
        } catch {
            #expect("\(error)".contains("no config.json"), "\(error)")
        }
        #expect(FileManager.default.fileExists(atPath: dir.file("mine/thesis.tex")))
        for path in [".", "..", "/", NSHomeDirectory()] {
            #expect(throws: ConfigError.self, "\(path)") { try RunFolder(path: path).prepare(settings: settings, restart: true, volatile: []) }
        }
        let run = RunFolder(path: dir.file("run-to-restart"))
        try run.prepare(settings: settings, restart: false, volatile: [])
        dir.write("run-to-restart/metrics.jsonl", Array("{}".utf8))
        try run.prepare(settings: settings, restart: true, volatile: [])
        #expect(!FileManager.default.fileExists(atPath: run.file("metrics.jsonl")))
    }
}
