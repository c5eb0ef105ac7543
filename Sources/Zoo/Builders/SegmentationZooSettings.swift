import Configuration

/// The settings of the 2-D zoo that segmentation reads: every key of `zoo2d`, with defaults for
/// labelled data (furniture rooms at Cityscapes' 1:2 aspect, a SIREN wide enough for them).
public struct SegmentationZooSettings: StageSettings, Equatable {
    public var zoo: Zoo2DSettings

    public init() {
        var zoo = Zoo2DSettings()
        zoo.source = .furnitureRooms
        zoo.path = nil
        (zoo.rooms.height, zoo.rooms.width) = (32, 64)
        (zoo.trainCount, zoo.testCount) = (1_000, 200)
        zoo.fit.network.layers = 4
        zoo.fit.maximumSteps = 2_000
        self.zoo = zoo
    }

    public init(from decoder: any Decoder) throws { zoo = try Zoo2DSettings(from: decoder) }

    public func encode(to encoder: any Encoder) throws { try zoo.encode(to: encoder) }

    public static var volatileKeys: Set<String> { Zoo2DSettings.volatileKeys }

    public func validate(_ check: SettingsCheck) throws(ConfigError) { try zoo.validate(check) }
}
