import NN
import Tensor
import Tokens

/// Encodes a view (`[B, 3, H, W]`) into image feature tokens: 3×3 stride-2 convolutions with ReLU,
/// then either one token, a linear map of the flattened feature map (which keeps where things are
/// in the view), or one token per cell of the feature map, mapped alike, plus its 2-D sin-cos
/// position. On a few hundred views a small CNN learns pose far faster than a ViT from scratch (a
/// PyTorch check on the default zoo: 38° vs 83° median on unseen views after 300 steps).
public final class ViewEncoder: Layer {
    public let convolutions: [Conv2d]
    public let projection: Linear
    public let tokens: ImageTokens
    /// Cells per side of the final feature map.
    public let mapSize: Int
    /// `[mapSize², dim]`, for `patches`.
    public let positions: Tensor?

    public init(imageSize: Int, channels: [Int], dim: Int, tokens: ImageTokens = .single, rng: inout RandomGenerator) {
        var size = imageSize, inChannels = 3, layers: [Conv2d] = []
        for out in channels {
            let conv = Conv2d(inChannels, out, kernel: 3, stride: 2, padding: 1, rng: &rng)
            size = conv.outputSize(size)
            layers.append(conv)
            inChannels = out
        }
        convolutions = layers
        self.tokens = tokens
        mapSize = size
        switch tokens {
        case .single:
            projection = Linear(inChannels * size * size, dim, rng: &rng)
            positions = nil
        case .patches:
            projection = Linear(inChannels, dim, rng: &rng)
            positions = SinCosEmbedding.twoDimensional(dim: dim, grid: size)
        }
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        prefixed("conv", convolutions) + prefixed("proj", projection)
    }

    /// Tokens per view: 1, or one per feature-map cell.
    public var tokenCount: Int { tokens == .single ? 1 : mapSize * mapSize }

    /// `[B, 3, H, W]` → `[B, tokenCount, dim]`.
    public func callAsFunction(_ images: Tensor) -> Tensor {
        var x = images
        for conv in convolutions { x = conv(x).relu() }
        let b = x.shape[0]
        switch tokens {
        case .single:
            return projection(x.reshaped(b, x.count / b)).reshaped(b, 1, projection.outFeatures)
        case .patches:
            let (c, cells) = (x.shape[1], mapSize * mapSize)
            let perCell = x.reshaped(b, c, cells).permuted(0, 2, 1).reshaped(b * cells, c)
            return projection(perCell).reshaped(b, cells, projection.outFeatures) + positions!
        }
    }
}

/// Camera pose of a view relative to a NeRF: the volume encoder (MAE's, pretrained or not) over the
/// scene's tokens, pooled; a view encoder giving one image feature token; a pose transformer over
/// both, read out at the image token; an MLP with a 6-D rotation head and a translation head, or,
/// with anchors, a head that scores each anchor rotation and regresses, for each, a residual
/// rotation (applied after the anchor's) and a translation.
public final class PoseRegressor: Layer {
    /// The volume encoder's shape (the MAE's) and the rest of the model's.
    public let volume: MAE3DConfiguration
    public let config: PoseConfiguration
    /// Named as in the MAE (`patch_embed`, `encoder`) so pretrained weights load by name.
    public let patchEmbedding: Linear
    public let positions: Tensor
    public let volumeEncoder: TransformerEncoder
    public let viewEncoder: ViewEncoder
    /// Brings the image token to the scale of the volume tokens (which leave their encoder through
    /// a layer norm); without it the image token entered the pose transformer at about 0.02.
    public let viewNorm: LayerNorm
    /// `volume_summary`: the flattened pooled volume tokens mapped to one vector, and its norm.
    public let volumeSummary: (projection: Linear, norm: LayerNorm)?
    /// `object_frame`: the flattened pooled volume tokens (pooled again by `object_frame_pool`) →
    /// scores of the scene's four quarter turns about the vertical axis (`SceneTurn`), or with the
    /// canonical head one score for each of the scene's turns back.
    public let objectFrame: MLP?
    /// Constants `[1, T·dim]` that standardise the object frame's input, x ↦ (x − mean)·scale: the
    /// encoder's features differ between scenes by about 5% of their size (most of each is where
    /// its token sits), which an MLP on the raw features does not learn to read in hundreds of
    /// steps. Set from the training scenes by `PoseTraining`; nil: raw features.
    public var objectFrameStandardization: (mean: Tensor, scale: Tensor)?
    /// `quarter_head`: [view feature (its tokens flattened), object-frame rotation (9), standardised
    /// frame features of the scene turned back by a quarter] → that quarter's score.
    public let quarterHead: MLP?
    /// Learned embeddings that mark volume and image tokens for the pose transformer.
    public let volumeType: Tensor
    public let imageType: Tensor
    /// The token read out for the pose when the view enters as several tokens (`patches`).
    public let poseQuery: Tensor?
    public let poseTransformer: TransformerEncoder
    public let shared: MLP
    public let rotationHead: Linear
    public let translationHead: Linear
    /// Anchor rotations (row-major 3×3; up to `config.rotationAnchors` of them, empty for none) and their scores.
    public let anchors: [[Float]]
    public let anchorHead: Linear?
    /// With `anchor_comparison`, the learned weight `[1]` of the comparison priors in the anchor scores.
    public let anchorComparisonWeight: Tensor?

    /// `anchors`: up to `config.rotationAnchors` rotations (`RotationAnchors.farthestPoints` of the
    /// training poses; fewer when there are fewer poses), none when that is 0.
    public init(volume v: MAE3DConfiguration, _ config: PoseConfiguration, imageSize: Int, anchors: [[Float]] = [],
                rng: inout RandomGenerator) {
        precondition(anchors.count <= config.rotationAnchors && (anchors.isEmpty == (config.rotationAnchors == 0)),
                     "PoseRegressor: up to \(config.rotationAnchors) anchors expected, got \(anchors.count)")
        volume = v
        self.config = config
        self.anchors = anchors
        let d = v.dim
        patchEmbedding = Linear(v.tokenWidth, d, weightInit: .xavierUniform, biasInit: .constant(0), rng: &rng)
        positions = SinCosEmbedding.threeDimensional(dim: d, grid: v.tokensPerSide)
        volumeEncoder = TransformerEncoder(dim: d, depth: v.depth, heads: v.heads, mlpRatio: v.mlpRatio, weightInit: .xavierUniform, rng: &rng)
        viewEncoder = ViewEncoder(imageSize: imageSize, channels: config.imageChannels, dim: d, tokens: config.imageTokens, rng: &rng)
        viewNorm = LayerNorm(d)
        let pooledTokens = v.tokenCount / (config.volumePool * config.volumePool * config.volumePool)
        volumeSummary = config.volumeSummary
            ? (Linear(pooledTokens * d, d, weightInit: .truncatedNormal(std: 0.02), biasInit: .constant(0), rng: &rng), LayerNorm(d)) : nil
        let frameTokens = pooledTokens / (config.objectFramePool * config.objectFramePool * config.objectFramePool)
        // The canonical head's four scores come from one output, whose bias would shift them all
        // alike: the cross-entropy would never move it.
        let canonical = config.objectFrameHead == .canonical
        objectFrame = config.objectFrame
            ? MLP(dim: frameTokens * d, hidden: config.headWidth, outDim: canonical ? 1 : 4, outputBias: !canonical, rng: &rng) : nil
        quarterHead = config.quarterHead
            ? MLP(dim: viewEncoder.tokenCount * d + 9 + frameTokens * d, hidden: config.headWidth, outDim: 1, outputBias: false, rng: &rng) : nil
        volumeType = Tensor.truncatedNormal([1, 1, d], std: 0.02, rng: &rng, requiresGrad: true)
        imageType = Tensor.truncatedNormal([1, 1, d], std: 0.02, rng: &rng, requiresGrad: true)
        poseQuery = config.imageTokens == .patches ? Tensor.truncatedNormal([1, 1, d], std: 0.02, rng: &rng, requiresGrad: true) : nil
        // The pose transformer, the MLP and the heads start at PyTorch's default scale: drawn as the
        // MAE's new layers are (truncated normal, std 0.02), they held the output at the mean pose
        // on 270 scenes for 1,500 steps, in Swift and in a PyTorch copy alike (README, the 3D track).
        poseTransformer = TransformerEncoder(dim: d, depth: config.poseDepth, heads: v.heads, rng: &rng)
        shared = MLP(dim: d, hidden: config.headWidth, outDim: config.headWidth, rng: &rng)
        let heads = max(anchors.count, 1)
        rotationHead = Linear(config.headWidth, 6 * heads, rng: &rng)
        translationHead = Linear(config.headWidth, 3 * heads, rng: &rng)
        anchorHead = anchors.isEmpty ? nil : Linear(config.headWidth, anchors.count, rng: &rng)
        anchorComparisonWeight = config.anchorComparison && !anchors.isEmpty
            ? Tensor(shape: [1], values: [config.anchorComparisonWeight], requiresGrad: true) : nil
        // Start the rotation head near the identity's 6-D code (a tenth of the default weights) so
        // early outputs are valid rotations (with anchors: each anchor itself).
        rotationHead.weight.scaleInPlace(by: 0.1)
        rotationHead.bias!.assign(Array([[Float]](repeating: [1, 0, 0, 0, 1, 0], count: heads).joined()))
    }

    /// The parameters shared with the MAE encoder (loaded from pretraining).
    public var volumeParameters: [(name: String, tensor: Tensor)] {
        prefixed("patch_embed", patchEmbedding) + prefixed("encoder", volumeEncoder)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        volumeParameters + prefixed("view_encoder", viewEncoder) + prefixed("view_norm", viewNorm)
            + (volumeSummary.map { prefixed("volume_summary.proj", $0.projection) + prefixed("volume_summary.norm", $0.norm) } ?? [])
            + (objectFrame.map { prefixed("object_frame", $0) } ?? [])
            + (quarterHead.map { prefixed("quarter_head", $0) } ?? [])
            + [("volume_type", volumeType), ("image_type", imageType)]
            + (poseQuery.map { [("pose_query", $0)] } ?? [])
            + prefixed("pose_transformer", poseTransformer) + prefixed("head.shared", shared)
            + prefixed("head.rotation", rotationHead) + prefixed("head.translation", translationHead)
            + (anchorHead.map { prefixed("head.anchor", $0) } ?? [])
            + (anchorComparisonWeight.map { [("head.anchor_comparison_weight", $0)] } ?? [])
    }

    /// Scene tokens `[B, N, P³·C]` → pooled encoded tokens `[B, N / pool³, dim]`.
    public func encodeScenes(_ tokens: Tensor) -> Tensor {
        finishEncoding(patchEmbedding(tokens) + positions, from: 0)
    }

    /// Scene tokens `[B, N, P³·C]` through the patch embedding and the volume encoder's first
    /// `blocks` blocks: `[B, N, dim]`, what `finishEncoding(_:from:)` continues from.
    public func encodeScenes(_ tokens: Tensor, throughBlocks blocks: Int) -> Tensor {
        volumeEncoder.blocks[..<blocks].reduce(patchEmbedding(tokens) + positions) { h, block in block(h) }
    }

    /// Tokens `[B, N, dim]` after the volume encoder's first `block` blocks → the remaining blocks,
    /// the final norm and the pooling: what `encodeScenes` gives.
    public func finishEncoding(_ h: Tensor, from block: Int) -> Tensor {
        let encoded = volumeEncoder.norm(volumeEncoder.blocks[block...].reduce(h) { h, block in block(h) })
        return Self.pool(encoded, side: volume.tokensPerSide, by: config.volumePool)
    }

    /// The volume encoder's parameters from block `first` on (with its final norm): those a
    /// partial fine-tuning trains (all of `volumeParameters` when `first` is 0).
    public func volumeParameters(fromBlock first: Int) -> [(name: String, tensor: Tensor)] {
        let frozen = (first > 0 ? ["patch_embed."] : []) + (0..<first).map { "encoder.blocks.\($0)." }
        return volumeParameters.filter { p in !frozen.contains { p.name.hasPrefix($0) } }
    }

    /// Tokens `[B, side³, dim]` of a grid (z-major) averaged over p³ neighbours: `[B, (side / p)³, dim]`.
    static func pool(_ h: Tensor, side g: Int, by p: Int) -> Tensor {
        guard p > 1 else { return h }
        let (b, d, q) = (h.shape[0], h.shape[2], g / p)
        return h.reshaped(b, q, p, q, p, q, p, d).permuted(0, 1, 3, 5, 2, 4, 6, 7).reshaped(b, q * q * q, p * p * p, d).mean(axis: 2)
    }

    /// Poses of views of the encoded scenes: `scenes [B, T, dim]`, `images [B·V, 3, H, W]` (V views
    /// per scene, scene-major). Returns rotations `[B·V, 3, 3]` and normalised translations `[B·V, 3]`,
    /// with anchors their scores `[B·V, K]`, and with `object_frame` the scores `[B, 4]` of each
    /// scene's quarter turns. The pose is that of anchor `anchorOf[i]` for view i when given
    /// (training: the anchor nearest the truth), else of the best-scored anchor; with `object_frame`
    /// it is turned by scene b's turn `turnOf[b]` when given (training: the true turn), else by its
    /// best-scored turn, scored from `frameScenes` (what `turnScores` reads; default `scenes`,
    /// which the canonical head cannot score). With `aligned_volume` the pose transformer reads,
    /// in place of `scenes`, each scene's row of `frameScenes` turned back by its turn.
    /// The pose is read out at the first token: the image token, or the pose query (which carries
    /// the volume summary when there is one). With `anchor_comparison`, `anchorPriors [B·V, K]`
    /// (`AnchorComparison.priors`) are added to the anchor scores, times the learned weight.
    public func callAsFunction(scenes: Tensor, images: Tensor, anchorOf: [Int]? = nil, turnOf: [Int]? = nil, frameScenes: Tensor? = nil,
                               anchorPriors: Tensor? = nil) -> PoseOutput {
        precondition((anchorPriors != nil) == (anchorComparisonWeight != nil),
                     "PoseRegressor: anchor priors `[B·V, K]` go with anchor_comparison, and only with it")
        precondition(objectFrame == nil || frameScenes != nil || config.objectFrameHead == .turns,
                     "PoseRegressor: the canonical object-frame head needs the scenes encoded in their turns (frameScenes)")
        let turnScores = turnScores(frameScenes ?? scenes)
        let chosenTurns = turnScores.map { turnOf ?? Self.bestRows($0.values, columns: 4) }
        var scenes = scenes
        if config.alignedVolume, let chosenTurns, let frameScenes {  // row 4b + j: scene b turned back by j
            scenes = frameScenes.indexSelect(axis: 0, chosenTurns.enumerated().map { 4 * $0.offset + $0.element })
        }
        let (b, t, d) = (scenes.shape[0], scenes.shape[1], scenes.shape[2])
        let bv = images.shape[0], v = bv / b
        let viewFeature = viewNorm(viewEncoder(images))
        var image = viewFeature + imageType
        let volume = (scenes + volumeType).reshaped(b, 1, t, d).broadcast(to: [b, v, t, d]).reshaped(bv, t, d)
        var query = poseQuery.map { [$0.broadcast(to: [bv, 1, d])] } ?? []
        if let (projection, norm) = volumeSummary {
            let summary = norm(projection(scenes.reshaped(b, t * d))).reshaped(b, 1, 1, d).broadcast(to: [b, v, 1, d]).reshaped(bv, 1, d)
            // The readout token: the single image token, or the pose query when the view is patches.
            if query.isEmpty { image = image + summary } else { query = [query[0] + summary] }
        }
        let joint = poseTransformer(Tensor.concat(query + [image, volume], axis: 1))
        let feature = shared(joint.slice(axis: 1, 0..<1).reshaped(bv, d)).gelu()
        let pose: PoseOutput
        if let anchorHead {
            var scores = anchorHead(feature)
            if let anchorPriors, let anchorComparisonWeight { scores = scores + anchorComparisonWeight * anchorPriors }
            let k = anchors.count
            let chosen = anchorOf ?? Self.bestRows(scores.values, columns: k)
            let rows = chosen.enumerated().map { $0.offset * k + $0.element }
            let residual = Rotations.matrix(from6D: rotationHead(feature).reshaped(bv * k, 6).indexSelect(axis: 0, rows))
            let anchor = Tensor(shape: [bv, 3, 3], values: chosen.flatMap { anchors[$0] })
            pose = PoseOutput(rotation: Tensor.matmul(anchor, residual),
                              translation: translationHead(feature).reshaped(bv * k, 3).indexSelect(axis: 0, rows), anchorScores: scores)
        } else {
            pose = PoseOutput(rotation: Rotations.matrix(from6D: rotationHead(feature)), translation: translationHead(feature))
        }
        guard let turnScores, let chosenTurns else { return pose }
        let quarterScores: Tensor? = quarterHead.map { head in
            scoreQuarters(head, views: viewFeature.reshaped(bv, viewEncoder.tokenCount * d), rotations: pose.rotation,
                          frames: frameScenes!, turnScores: turnScores)
        }
        let viewTurns: [Int]
        if let turnOf { viewTurns = (0..<bv).map { turnOf[$0 / v] } }
        else if let quarterScores { viewTurns = Self.bestRows(quarterScores.values, columns: 4) }
        else { viewTurns = (0..<bv).map { chosenTurns[$0 / v] } }
        let turn = Tensor(shape: [bv, 3, 3], values: viewTurns.flatMap { SceneTurn.matrix(quarterTurns: $0) })
        return PoseOutput(rotation: Tensor.matmul(turn, pose.rotation), translation: objectFrameTranslation(turn, pose.translation),
                          anchorScores: pose.anchorScores, turnScores: turnScores, quarterScores: quarterScores)
    }

    /// The quarter head's scores `[B·V, 4]` of each view's quarter turns: `views [B·V, tokens·dim]`,
    /// the object-frame `rotations [B·V, 3, 3]` (read as constants), `frames [4·B, T, dim]` as for
    /// the canonical head, whose scores `[B, 4]` (constants) each view's scores add to.
    func scoreQuarters(_ head: MLP, views: Tensor, rotations: Tensor, frames: Tensor, turnScores: Tensor) -> Tensor {
        let (bv, b) = (views.shape[0], turnScores.shape[0]), v = bv / b
        let rows = (0..<bv).flatMap { i in [Int](repeating: i, count: 4) }
        let frameRows = (0..<bv).flatMap { i in (0..<4).map { 4 * (i / v) + $0 } }
        let pose = Tensor(shape: [bv, 9], values: rotations.values).indexSelect(axis: 0, rows)
        let input = Tensor.concat([views.indexSelect(axis: 0, rows), pose, standardizedFrameFeatures(frames).indexSelect(axis: 0, frameRows)], axis: 1)
        let prior = Tensor(shape: [b, 4], values: turnScores.values).indexSelect(axis: 0, (0..<bv).map { $0 / v })
        return head(input).reshaped(bv, 4) + prior
    }

    /// With `object_frame`, the scores `[B, 4]` of B scenes' quarter turns, from their encodings:
    /// `[B, T, dim]` for the `turns` head; for the canonical head `[4·B, T, dim]`, row 4b + j scene
    /// b turned back by j quarter turns (the encoding of the turn it stands in minus j).
    public func turnScores(_ frames: Tensor) -> Tensor? {
        guard let objectFrame else { return nil }
        let scores = objectFrame(standardizedFrameFeatures(frames))
        return config.objectFrameHead == .canonical ? scores.reshaped(frames.shape[0] / 4, 4) : scores
    }

    /// `frameFeatures` standardised by `objectFrameStandardization` (as they are when it is nil).
    func standardizedFrameFeatures(_ encoded: Tensor) -> Tensor {
        let flat = frameFeatures(encoded)
        return objectFrameStandardization.map { (flat - $0.mean) * $0.scale } ?? flat
    }

    /// What the object-frame head reads of encoded scenes `[S, T, dim]`: their tokens pooled by
    /// `object_frame_pool` and flattened in grid order, `[S, T / pool³ · dim]`.
    func frameFeatures(_ encoded: Tensor) -> Tensor {
        let pooled = Self.pool(encoded, side: volume.tokensPerSide / config.volumePool, by: config.objectFramePool)
        return pooled.reshaped(pooled.shape[0], pooled.count / pooled.shape[0])
    }

    /// Sets `objectFrameStandardization` from encoded scenes `[S, T, dim]`: each of their frame
    /// features' mean and 1 / (standard deviation + 1e-3) over them.
    public func standardizeObjectFrame(over encoded: Tensor) {
        let features = frameFeatures(encoded)
        let (s, f) = (features.shape[0], features.shape[1]), x = features.values
        var mean = [Float](repeating: 0, count: f), scale = [Float](repeating: 0, count: f)
        for i in 0..<s { for j in 0..<f { mean[j] += x[i * f + j] } }
        for j in 0..<f { mean[j] /= Float(s) }
        for i in 0..<s { for j in 0..<f { let e = x[i * f + j] - mean[j]; scale[j] += e * e } }
        for j in 0..<f { scale[j] = 1 / ((scale[j] / Float(max(s - 1, 1))).squareRoot() + 1e-3) }
        objectFrameStandardization = (Tensor(shape: [1, f], values: mean), Tensor(shape: [1, f], values: scale))
    }

    /// T·t for normalised translations u = (t − offset) / scale: (T·(scale·u + offset) − offset) / scale.
    func objectFrameTranslation(_ turn: Tensor, _ normalised: Tensor) -> Tensor {
        let n = normalised.shape[0], o = config.translationOffset, offset = Tensor(shape: [1, 3, 1], values: [o.x, o.y, o.z])
        let turnedOffset = Tensor.matmul(turn, offset.broadcast(to: [n, 3, 1])).reshaped(n, 3)
        return Tensor.matmul(turn, normalised.reshaped(n, 3, 1)).reshaped(n, 3) + (turnedOffset - offset.reshaped(1, 3)) / config.translationScale
    }

    /// The column of the largest value of each row of a row-major `[rows, columns]` array.
    public static func bestRows(_ values: [Float], columns: Int) -> [Int] {
        stride(from: 0, to: values.count, by: columns).map { start in
            (0..<columns).max { values[start + $0] < values[start + $1] }!
        }
    }
}
