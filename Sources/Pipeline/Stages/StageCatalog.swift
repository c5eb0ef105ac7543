import Configuration
import Tasks
import Training
import Zoo

/// The stages a pipeline can run. A new task is one line in `builtIn`.
public struct StageCatalog: Sendable {
    public let stages: [any Stage.Type]

    public init(_ stages: [any Stage.Type]) { self.stages = stages }

    /// Every stage of this program, in pipeline order.
    public static let builtIn = StageCatalog([
        Zoo2DStage<Zoo2DSettings>.self,
        Zoo2DStage<SegmentationZooSettings>.self,
        Zoo3DStage.self,
        TaskStage<PretrainTask>.self,
        TaskStage<PoseTask>.self,
        TaskStage<ClassifyTask>.self,
        TaskStage<SegmentTask>.self,
    ])

    /// This catalog with more stages (e.g. a task defined outside this module).
    public func adding(_ more: any Stage.Type...) -> StageCatalog { StageCatalog(stages + more) }

    public var names: [StageName] { stages.map { $0.name } }

    public func stage(_ name: StageName) -> (any Stage.Type)? { stages.first { $0.name == name } }
}
