import Fields
import Formats
import Tensor
import Zoo
import ZooStore

/// What a 2-D task reads from a SIREN zoo, split by the zoo's splits: the SIRENs' stacked
/// parameters, or (the baseline) the original images they were fitted to.
struct ZooInputs {
    let zoo: ZooReader
    let input: ClassifierInput
    let config: SIRENConfiguration
    let weights: [Tensor]
    let biases: [Tensor]
    /// The source's images by source index (input=images only).
    let images: [Int: SourceImage]
    let collection: ImageCollection?

    /// `collection`: the images the zoo was fitted to; needed for input=images.
    init(zoo: ZooReader, input: ClassifierInput, collection: ImageCollection?, task: String) throws {
        guard case let .siren(config) = zoo.manifest.architecture else {
            throw FormatError.invalid(path: zoo.path, reason: "holds \(zoo.manifest.architecture.kind) INRs; \(task) reads a 2-D (SIREN) zoo")
        }
        precondition(input == .inr || collection != nil, "ZooInputs: input=images needs the source's images")
        self.zoo = zoo
        self.input = input
        self.config = config
        self.collection = collection
        let all = 0..<zoo.count
        weights = input == .inr ? try (0..<config.layers).map { try zoo.parameter("seq.\($0).weight", rows: all) } : []
        biases = input == .inr ? try (0..<config.layers).map { try zoo.parameter("seq.\($0).bias", rows: all) } : []
        images = Dictionary((collection?.images ?? []).map { ($0.sourceIndex, $0) }) { a, _ in a }
    }

    /// The zoo's rows in `split`.
    func rows(_ split: ZooSplit) -> [Int] { (0..<zoo.count).filter { zoo.splits[$0] == split } }

    /// The examples of `split` with their image labels.
    func data(_ split: ZooSplit) throws -> ClassificationData {
        let rows = rows(split)
        let labels = rows.map { zoo.labels[$0] }
        switch input {
        case .inr:
            return ClassificationData(examples: .inrs(config, weights: weights.map { $0.indexSelect(axis: 0, rows) },
                                                      biases: biases.map { $0.indexSelect(axis: 0, rows) }), labels: labels)
        case .images:
            let (height, width) = (collection!.height, collection!.width)
            var values: [Float] = []
            values.reserveCapacity(rows.count * 3 * height * width)
            for row in rows {
                guard let image = images[zoo.sourceIndices[row]] else {
                    throw FormatError.invalid(path: zoo.path, reason: "INR \(zoo.names[row]) was fitted to image \(zoo.sourceIndices[row]), which \(collection!.description) does not hold")
                }
                guard zoo.sourceIdentities[row].isEmpty || zoo.sourceIdentities[row] == image.identity else {
                    throw FormatError.invalid(path: zoo.path, reason: "INR \(zoo.names[row]) was fitted to \(zoo.sourceIdentities[row]), but \(collection!.description) now holds \(image.identity) there")
                }
                let rgb = ImageNetNormalization.normalize(image.rgb)
                for c in 0..<3 { for p in 0..<(height * width) { values.append(rgb[p * 3 + c]) } }
            }
            return ClassificationData(examples: .images(Tensor(shape: [rows.count, 3, height, width], values: values)), labels: labels)
        }
    }
}
