import Formats
import Tensor
import ZooStore

/// Which views pose regression is scored on.
public enum PoseSplit: String, Sendable, CaseIterable {
    /// Training scenes, their first views (what the model learns from).
    case train
    /// Training scenes, views held out from training ("seen scene, unseen view").
    case unseenView = "unseen_view"
    /// Scenes held out entirely (the last ones of each class): all their views.
    case unseenScene = "unseen_scene"
}

/// Views and camera poses of every scene of a 3-D zoo, ready for pose regression.
public struct PoseDataset {
    /// Views `[N, V, 3, H, W]` normalised with mean = std = 0.5.
    public let images: Tensor
    /// Camera-to-world rotations `[N·V][9]` (row-major) and positions `[N·V]` (world units).
    public let rotations: [[Float]]
    public let positions: [SIMD3<Float>]
    public let names: [String]
    /// The views as stored, `[N][V·H·W·3]` bytes composited on the background (for refinement).
    public let viewBytes: [[UInt8]]
    public let viewsPerScene: Int
    public let imageSize: Int
    /// Horizontal field of view of the cameras, radians.
    public let fieldOfViewX: Float
    /// The first `trainViews` views of a training scene are learned from; the rest are held out.
    public let trainViews: Int
    public let trainScenes: [Int]
    public let testScenes: [Int]
    /// Views rendered from the training scenes' NeRFs, learned from beside the first `trainViews`
    /// stored ones: view `viewsPerScene + k` of a training scene is its k-th rendered view.
    public var rendered: RenderedViews? {
        willSet { precondition(newValue.map { Set($0.scenes) == Set(trainScenes) } ?? true, "PoseDataset: views rendered for other scenes than the training ones") }
    }

    /// `trainScenes` keeps that many of the zoo's training scenes, evenly spaced (nil: all).
    public init(zoo: ZooReader, trainViews: Int, trainScenes limit: Int? = nil) throws(FormatError) {
        guard zoo.hasViews else { throw .invalid(path: zoo.path, reason: "the zoo stores no views; pose regression needs them") }
        var pixels: [Float] = [], rotations: [[Float]] = [], positions: [SIMD3<Float>] = [], bytes: [[UInt8]] = []
        var shape: (v: Int, h: Int, w: Int)?
        var fieldOfViewX: Float = 0
        for row in 0..<zoo.count {
            let views = try zoo.views(row: row)
            if let shape, shape != (views.count, views.height, views.width) {
                throw .invalid(path: zoo.path, reason: "scene \(zoo.names[row]) has \(views.count) views of \(views.width)×\(views.height), others differ")
            }
            shape = (views.count, views.height, views.width)
            fieldOfViewX = views.fieldOfViewX
            bytes.append(views.images)
            let hw = views.height * views.width
            for v in 0..<views.count {
                for c in 0..<3 {
                    for i in 0..<hw { pixels.append((Float(views.images[(v * hw + i) * 3 + c]) / 255 - 0.5) / 0.5) }
                }
                let m = Array(views.poses[(16 * v)..<(16 * v + 16)])
                rotations.append([m[0], m[1], m[2], m[4], m[5], m[6], m[8], m[9], m[10]])
                positions.append(SIMD3(m[3], m[7], m[11]))
            }
        }
        guard let shape else { throw .invalid(path: zoo.path, reason: "the zoo is empty") }
        guard trainViews >= 1, trainViews < shape.v else {
            throw .invalid(path: zoo.path, reason: "train_views \(trainViews) must leave held-out views among the \(shape.v) per scene")
        }
        guard shape.h == shape.w else { throw .invalid(path: zoo.path, reason: "views are \(shape.w)×\(shape.h); pose regression needs square views") }
        images = Tensor(shape: [zoo.count, shape.v, 3, shape.h, shape.w], values: pixels)
        self.rotations = rotations
        self.positions = positions
        names = zoo.names
        viewBytes = bytes
        self.fieldOfViewX = fieldOfViewX
        viewsPerScene = shape.v
        imageSize = shape.h
        self.trainViews = trainViews
        let allTrain = (0..<zoo.count).filter { zoo.splits[$0] == .train }
        if let limit, limit > allTrain.count {
            throw .invalid(path: zoo.path, reason: "train_scenes \(limit) is more than the zoo's \(allTrain.count) training scenes")
        }
        let kept = min(limit ?? allTrain.count, allTrain.count)
        trainScenes = (0..<kept).map { allTrain[$0 * allTrain.count / kept] }
        testScenes = (0..<zoo.count).filter { zoo.splits[$0] == .test }
        rendered = nil
    }

    /// Views each training scene is learned from: its first `trainViews` stored ones and its rendered ones.
    public var trainingViewCount: Int { trainViews + (rendered?.perScene ?? 0) }

    /// The view index of a training scene's i-th view learned from (below `trainingViewCount`).
    public func trainingView(_ i: Int) -> Int { i < trainViews ? i : viewsPerScene + i - trainViews }

    /// The (scene, view) pairs of a split.
    public func pairs(_ split: PoseSplit) -> [(scene: Int, view: Int)] {
        switch split {
        case .train: return trainScenes.flatMap { s in (0..<trainViews).map { (s, $0) } }
        case .unseenView: return trainScenes.flatMap { s in (trainViews..<viewsPerScene).map { (s, $0) } }
        case .unseenScene: return testScenes.flatMap { s in (0..<viewsPerScene).map { (s, $0) } }
        }
    }

    /// One view as RGB `[H·W·3]` in [0, 1].
    public func rgb(scene: Int, view: Int) -> [Float] {
        let n = imageSize * imageSize * 3
        return viewBytes[scene][(view * n)..<((view + 1) * n)].map { Float($0) / 255 }
    }

    /// The true camera rotation (row-major 3×3) and position of a view (a stored or a rendered one).
    public func pose(scene: Int, view: Int) -> (rotation: [Float], position: SIMD3<Float>) {
        if view >= viewsPerScene, let rendered { return rendered.poses[rendered.index(scene: scene, view: view - viewsPerScene)] }
        return (rotations[scene * viewsPerScene + view], positions[scene * viewsPerScene + view])
    }

    /// Images `[K, 3, H, W]` of the given (scene, view) pairs, stored or rendered views.
    public func images(_ pairs: [(scene: Int, view: Int)]) -> Tensor {
        let flat = images.reshaped(images.shape[0] * viewsPerScene, 3, imageSize, imageSize)
        let stored = pairs.indices.filter { pairs[$0].view < viewsPerScene }
        guard stored.count < pairs.count, let rendered else { return flat.indexSelect(axis: 0, pairs.map { $0.scene * viewsPerScene + $0.view }) }
        let drawn = pairs.indices.filter { pairs[$0].view >= viewsPerScene }
        var parts: [Tensor] = []
        if !stored.isEmpty { parts.append(flat.indexSelect(axis: 0, stored.map { pairs[$0].scene * viewsPerScene + pairs[$0].view })) }
        parts.append(rendered.images.indexSelect(axis: 0, drawn.map { rendered.index(scene: pairs[$0].scene, view: pairs[$0].view - viewsPerScene) }))
        // Stored rows first, then rendered ones: put each pair's image back at its place.
        var place = [Int](repeating: 0, count: pairs.count)
        for (row, i) in (stored + drawn).enumerated() { place[i] = row }
        return Tensor.concat(parts, axis: 0).indexSelect(axis: 0, place)
    }
}
