import Tensor

/// Pose predictors that use no model, to stand beside the model's errors.
public enum PoseBaselines {
    /// The pose of the most similar training view by pixel distance: among the same scene's
    /// training views for seen scenes, among every training view for unseen scenes.
    public static func nearestView(_ data: PoseDataset, split: PoseSplit) -> [PoseError] {
        let queries = data.pairs(split)
        let pixels = 3 * data.imageSize * data.imageSize
        var errors: [PoseError] = []
        for scenes in split == .unseenScene ? [data.trainScenes] : data.trainScenes.map({ [$0] }) {
            let asked = queries.filter { split == .unseenScene || $0.scene == scenes[0] }
            guard !asked.isEmpty else { continue }
            let candidates = scenes.flatMap { s in (0..<data.trainViews).map { (scene: s, view: $0) } }
            let c = data.images(candidates).reshaped(candidates.count, pixels), q = data.images(asked).reshaped(asked.count, pixels)
            // ‖q − c‖² = ‖q‖² − 2 q·c + ‖c‖², and ‖q‖² does not change the nearest c.
            let distance = withoutGradient { (c.squared().sum(axis: 1).reshaped(1, candidates.count) - 2 * Tensor.matmul(q, c, transposeB: true)) }
            let d = distance.values
            for (i, pair) in asked.enumerated() {
                let row = d[(i * candidates.count)..<((i + 1) * candidates.count)]
                let nearest = candidates[row.indices.min { row[$0] < row[$1] }! - i * candidates.count]
                let guess = data.pose(scene: nearest.scene, view: nearest.view)
                errors.append(PoseError(scene: pair.scene, view: pair.view, rotation: guess.rotation, position: guess.position,
                                        truth: data.pose(scene: pair.scene, view: pair.view)))
            }
        }
        return errors
    }

    /// One pose for every view: the mean training position and the rotation nearest the mean
    /// training rotation matrix (Gram-Schmidt of its first two rows).
    public static func meanPose(_ data: PoseDataset, split: PoseSplit) -> [PoseError] {
        let training = data.pairs(.train).map { data.pose(scene: $0.scene, view: $0.view) }
        guard !training.isEmpty else { return [] }
        var sum = [Float](repeating: 0, count: 9), position = SIMD3<Float>.zero
        for pose in training {
            for k in 0..<9 { sum[k] += pose.rotation[k] }
            position += pose.position
        }
        position /= Float(training.count)
        let rotation = Rotations.matrix(from6D: Tensor(shape: [1, 6], values: Array(sum[0..<6]))).values
        return data.pairs(split).map { pair in
            PoseError(scene: pair.scene, view: pair.view, rotation: rotation, position: position, truth: data.pose(scene: pair.scene, view: pair.view))
        }
    }

    /// For every view the pose of a training view drawn at random: the start a search has
    /// without a model.
    public static func randomTrainingPose(_ data: PoseDataset, split: PoseSplit, seed: UInt64) -> [PoseError] {
        let training = data.pairs(.train)
        guard !training.isEmpty else { return [] }
        var rng = RandomGenerator(seed: seed)
        return data.pairs(split).map { pair in
            let drawn = training[rng.int(below: training.count)]
            let guess = data.pose(scene: drawn.scene, view: drawn.view)
            return PoseError(scene: pair.scene, view: pair.view, rotation: guess.rotation, position: guess.position,
                             truth: data.pose(scene: pair.scene, view: pair.view))
        }
    }
}
