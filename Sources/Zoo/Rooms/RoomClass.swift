/// The classes of the furniture-room segmentation data: background (floor, walls, ceiling) and
/// eleven kinds of furniture, each a set of words of Sweet Home 3D model names.
public enum RoomClass: Int, Sendable, CaseIterable {
    case background, table, chair, sofa, bed, storage, lamp, plant, appliance, electronics, bathroom, person

    public var name: String { "\(self)" }

    /// Words of a model's name (lower case, whole words) that put it in this class.
    public var words: Set<String> {
        switch self {
        case .background: []
        case .table: ["table", "desk", "workbench"]
        case .chair: ["chair", "stool", "bench", "puff"]
        case .sofa: ["sofa", "couch", "armchair", "futon"]
        case .bed: ["bed", "crib", "mattress"]
        case .storage: ["cabinet", "wardrobe", "bookcase", "shelves", "dresser", "drawers", "cupboard", "chest", "locker", "vanity", "safe"]
        case .lamp: ["lamp", "light", "lantern"]
        case .plant: ["plant", "tree", "bush", "hedge", "flowers", "cactus", "ficus", "yucca", "orchids", "tulips", "bamboo", "spathiphyllum", "lily"]
        case .appliance: ["fridge", "refrigerator", "freezer", "oven", "cooker", "cooktop", "stove", "microwave", "washing", "dryer", "boiler",
                          "heater", "furnace", "radiator", "conditioning"]
        case .electronics: ["tv", "screen", "laptop", "imac", "ibook", "printer", "stereo", "speaker", "projector", "playstation"]
        case .bathroom: ["toilets", "toilet", "bath", "bathtub", "shower", "washbasin", "sink", "basin", "bidet", "urinal", "jacuzzi", "lavatory"]
        case .person: ["male", "female", "boy", "girl", "mannequin"]
        }
    }

    /// Words that keep a model out of every class (small things named after furniture).
    static let excludedWords: Set<String> = ["fan", "bat", "remote", "plug", "switch", "socket", "cake", "lamppost", "curtain", "door", "hood"]

    /// The class of a model by its name, first match in this order (so "Desk lamp" is a lamp and
    /// "Sink cabinet" a bathroom fixture); nil when no word matches.
    public static func of(modelName: String) -> RoomClass? {
        let words = Set(modelName.lowercased().split { !$0.isLetter }.map(String.init))
        guard words.isDisjoint(with: excludedWords) else { return nil }
        let order: [RoomClass] = [.person, .lamp, .bathroom, .appliance, .electronics, .plant, .bed, .sofa, .chair, .table, .storage]
        return order.first { !words.isDisjoint(with: $0.words) }
    }
}
