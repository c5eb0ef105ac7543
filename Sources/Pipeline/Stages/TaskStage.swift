import Configuration
import Training

/// A task as a stage: its settings, dependencies and run come from the task itself.
public enum TaskStage<Task: PipelineTask>: Stage {
    public static var name: StageName { Task.stage }
    public static var summary: String { Task.summary }
    public static func dependencies(_ settings: Task.Settings) -> [StageName] { Task.dependencies(settings) }

    public static func validate(_ settings: Task.Settings, context: StageContext) throws(ConfigError) {
        try Task.validate(settings, context: context.taskContext(for: name))
    }

    public static func run(_ settings: Task.Settings, context: StageContext) throws -> Task.Summary? {
        try Task.run(settings, context: context.taskContext(for: name))
    }
}
