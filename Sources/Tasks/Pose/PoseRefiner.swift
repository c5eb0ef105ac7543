import Dispatch
import Fields
import Formats
import Synchronization
import Tensor
import ZooStore

/// Refines predicted poses of a dataset's views through their scenes' frozen NeRFs, and searches
/// rendered candidate poses for better starts: each NeRF loaded once, the views taken from the
/// dataset in memory, one view per worker thread.
public struct PoseRefiner {
    public let refinement: PoseRefinement
    public let search: PoseSearch
    public let data: PoseDataset
    public let zoo: ZooReader
    public let seed: UInt64

    public init(_ refinement: PoseRefinement, search: PoseSearch = PoseSearch(), data: PoseDataset, zoo: ZooReader, seed: UInt64) {
        self.refinement = refinement
        self.search = search
        self.data = data
        self.zoo = zoo
        self.seed = seed
    }

    /// The frozen NeRFs of the scenes `errors` name.
    private func nerfs(of errors: [PoseError]) throws(FormatError) -> [Int: NeRF] {
        var nerfs: [Int: NeRF] = [:]
        for scene in Set(errors.map(\.scene)).sorted() { nerfs[scene] = try zoo.nerf(row: scene) }
        return nerfs
    }

    /// The refined errors, in the order of `errors`; `progress` sees (done, total). Each view has its
    /// own seed, so the result does not depend on the number of threads.
    public func refine(_ errors: [PoseError], progress: (Int, Int) -> Void = { _, _ in }) throws(FormatError) -> [PoseError] {
        let geometry = try zoo.sceneGeometry()
        let nerfs = try nerfs(of: errors)
        let (refinement, data, seed) = (refinement, data, seed)
        return Self.perView(errors.count, progress: progress) { i in
            let e = errors[i]
            let (r, p) = refinement.refine(nerf: nerfs[e.scene]!, image: data.rgb(scene: e.scene, view: e.view), size: data.imageSize,
                                           fieldOfViewX: data.fieldOfViewX, geometry: geometry, rotation: e.predictedRotation,
                                           position: e.predictedPosition, seed: seed &+ UInt64(i))
            return PoseError(scene: e.scene, view: e.view, rotation: r, position: p, truth: data.pose(scene: e.scene, view: e.view))
        }
    }

    /// What the search found: each view's start, and how many views kept the model's prediction.
    public struct SearchResult: Sendable {
        public let errors: [PoseError]
        public let keptPrediction: Int
    }

    /// For each of `errors` (a model's predictions), the pose among `candidates` and the prediction
    /// whose low-resolution render through the view's NeRF is closest to the view.
    public func search(_ errors: [PoseError], candidates: [PoseSearch.Pose],
                       progress: (Int, Int) -> Void = { _, _ in }) throws(FormatError) -> SearchResult {
        let geometry = try zoo.sceneGeometry()
        let nerfs = try nerfs(of: errors)
        let (search, data) = (search, data)
        let scenes = Array(nerfs.keys).sorted()
        let renders = Self.perView(scenes.count, progress: progress) { i in
            search.render(nerfs[scenes[i]]!, poses: candidates, fieldOfViewX: data.fieldOfViewX, geometry: geometry)
        }
        let rendersOfScene = Dictionary(uniqueKeysWithValues: zip(scenes, renders))
        let chosen = Self.perView(errors.count) { i -> (PoseError, Bool) in
            let e = errors[i]
            let predicted = search.render(nerfs[e.scene]!, poses: [(e.predictedRotation, e.predictedPosition)],
                                          fieldOfViewX: data.fieldOfViewX, geometry: geometry)
            let best = search.closest(to: data.rgb(scene: e.scene, view: e.view), size: data.imageSize,
                                      among: predicted + rendersOfScene[e.scene]!)
            guard best > 0 else { return (e, true) }
            let pose = candidates[best - 1]
            return (PoseError(scene: e.scene, view: e.view, rotation: pose.rotation, position: pose.position,
                              truth: data.pose(scene: e.scene, view: e.view)), false)
        }
        return SearchResult(errors: chosen.map(\.0), keptPrediction: chosen.filter(\.1).count)
    }

    /// For each of `errors` (a model's predictions), whichever of its four quarter turns about the
    /// vertical (`SceneTurn`) renders closest to the view through the view's NeRF; `keptPrediction`
    /// counts the views where that is the prediction's own quarter. Each camera is first put where
    /// its rotation says it looks from, `cameraDistance` from the origin (position = distance · the
    /// rotation's third column, as the zoo's cameras look at the object), since a regressed position
    /// off that sphere renders the object off-centre or at the wrong size. No pose but the model's is rendered.
    public func quarterCheck(_ errors: [PoseError], cameraDistance: Float,
                             progress: (Int, Int) -> Void = { _, _ in }) throws(FormatError) -> SearchResult {
        let geometry = try zoo.sceneGeometry()
        let nerfs = try nerfs(of: errors)
        let (search, data) = (search, data)
        let chosen = Self.perView(errors.count, progress: progress) { i -> (PoseError, Bool) in
            let e = errors[i], r = e.predictedRotation
            let facing = (rotation: r, position: cameraDistance * SIMD3(r[2], r[5], r[8]))
            let turns = (0..<4).map { SceneTurn.pose(facing, quarterTurns: $0) }
            let renders = search.render(nerfs[e.scene]!, poses: turns, fieldOfViewX: data.fieldOfViewX, geometry: geometry)
            let best = search.closest(to: data.rgb(scene: e.scene, view: e.view), size: data.imageSize, among: renders)
            return (PoseError(scene: e.scene, view: e.view, rotation: turns[best].rotation, position: turns[best].position,
                              truth: data.pose(scene: e.scene, view: e.view)), best == 0)
        }
        return SearchResult(errors: chosen.map(\.0), keptPrediction: chosen.filter(\.1).count)
    }

    /// For each of `errors` (poses on the cameras' sphere, as the quarter check leaves them), the
    /// pose of `local`'s grids around it that renders closest to the view through the view's NeRF;
    /// `keptPrediction` counts the views where that is the pose itself.
    public func localSearch(_ errors: [PoseError], local: LocalSearch,
                            progress: (Int, Int) -> Void = { _, _ in }) throws(FormatError) -> SearchResult {
        let geometry = try zoo.sceneGeometry()
        let nerfs = try nerfs(of: errors)
        let (search, data) = (search, data)
        let chosen = Self.perView(errors.count, progress: progress) { i -> (PoseError, Bool) in
            let e = errors[i], image = data.rgb(scene: e.scene, view: e.view)
            var best: LocalSearch.Pose = (e.predictedRotation, e.predictedPosition), moved = false
            for round in 0..<local.rounds {
                let poses = LocalSearch.grid(around: best, spanDegrees: local.span(round: round), steps: local.steps)
                let renders = search.render(nerfs[e.scene]!, poses: poses, fieldOfViewX: data.fieldOfViewX, geometry: geometry)
                let closest = search.closest(to: image, size: data.imageSize, among: renders)
                if closest > 0 { (best, moved) = (poses[closest], true) }
            }
            return (PoseError(scene: e.scene, view: e.view, rotation: best.rotation, position: best.position,
                              truth: data.pose(scene: e.scene, view: e.view)), !moved)
        }
        return SearchResult(errors: chosen.map(\.0), keptPrediction: chosen.filter(\.1).count)
    }

    /// `work(0..<count)` spread over the worker threads, one thread each, results in order. The
    /// workers share the frozen NeRFs and the dataset, which they only read.
    static func perView<T>(_ count: Int, progress: (Int, Int) -> Void = { _, _ in }, _ work: (Int) -> T) -> [T] {
        withoutActuallyEscaping(work) { work in
            withoutActuallyEscaping(progress) { progress in
                let shared = Unchecked((work, progress))
                let results = Mutex([Unchecked<T>?](repeating: nil, count: count))
                let next = Atomic<Int>(0), done = Atomic<Int>(0)
                DispatchQueue.concurrentPerform(iterations: max(1, min(Runtime.threads, count))) { _ in
                    while true {
                        let i = next.add(1, ordering: .relaxed).oldValue
                        guard i < count else { return }
                        let value = Runtime.withThreads(1) { shared.value.0(i) }
                        results.withLock { $0[i] = Unchecked(value) }
                        let finished = done.add(1, ordering: .relaxed).newValue
                        results.withLock { _ in shared.value.1(finished, count) }
                    }
                }
                return results.withLock { $0.map { $0!.value } }
            }
        }
    }
}

/// A value crossing between `perView`'s threads: the work and progress closures, which read only
/// the frozen NeRFs and the dataset, and each view's result, handed back once under a lock.
private struct Unchecked<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
