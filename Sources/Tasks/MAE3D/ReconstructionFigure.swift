import Formats
import NN
import Tensor
import Tokens

/// The paper's Fig. 8 for a few scenes: the z-slice through each volume where it is densest, as RGB
/// and as density, each shown as input, masked input (hidden tokens grey) and reconstruction with
/// the visible tokens pasted back (as in the MAE paper's figures).
public enum ReconstructionFigure {
    /// Renders the figure for volumes `[K, S, S, S, 4]` with one fixed masking draw.
    public static func make(model: MaskedAutoencoder3D, volumes: Tensor, names: [String], seed: UInt64 = 7) -> Image {
        let c = model.config
        let s = c.gridSize, p = c.patchSize, g = c.tokensPerSide
        let k = volumes.shape[0]
        var rng = RandomGenerator(seed: seed)
        let (_, prediction, mask) = withoutGradient { model(volumes, rng: &rng) }
        // Visible tokens are not trained to be reproduced: show the input there.
        let hidden = mask.hidden.reshaped(k, mask.total, 1)
        let pasted = prediction * hidden + VolumePatches.patchify(volumes, patch: p) * (1 - hidden)
        let reconstruction = VolumePatches.unpatchify(pasted, patch: p, channels: c.channels)
        let scale = max(1, 96 / s), cell = s * scale, gap = 6, label = 14
        let width = 6 * (cell + gap) + gap + 90
        let height = label + k * (cell + label + gap) + gap
        var canvas = Canvas(width: width, height: height)
        let titles = ["RGB", "RGB MASKED", "RGB RECON.", "DENSITY", "DENS. MASKED", "DENS. RECON."]
        for (i, t) in titles.enumerated() { canvas.text(t, x: 90 + gap + i * (cell + gap), y: 3) }
        for row in 0..<k {
            let z = densestSlice(volumes, scene: row, size: s)
            let y = label + row * (cell + label + gap) + label / 2
            canvas.text(String(names[row].prefix(14)), x: 2, y: y + cell / 2 - 3)
            for (column, source) in [(0, volumes), (2, reconstruction)] {
                let (rgb, density) = slice(source, scene: row, z: z, size: s)
                canvas.draw(values: rgb, width: s, height: s, channels: 3, x: 90 + gap + column * (cell + gap), y: y, scale: scale)
                canvas.draw(values: density, width: s, height: s, channels: 1, x: 90 + gap + (column + 3) * (cell + gap), y: y, scale: scale)
            }
            var (rgb, density) = slice(volumes, scene: row, z: z, size: s)
            for yy in 0..<s {
                for xx in 0..<s {
                    let token = ((z / p) * g + yy / p) * g + xx / p
                    guard mask.hidden[row, token] == 1 else { continue }
                    let row = s - 1 - yy
                    for ch in 0..<3 { rgb[(row * s + xx) * 3 + ch] = 0.55 }
                    density[row * s + xx] = 0.55
                }
            }
            canvas.draw(values: rgb, width: s, height: s, channels: 3, x: 90 + gap + (cell + gap), y: y, scale: scale)
            canvas.draw(values: density, width: s, height: s, channels: 1, x: 90 + gap + 4 * (cell + gap), y: y, scale: scale)
        }
        return canvas.image
    }

    /// The z index whose slice holds the most density (the object's middle).
    static func densestSlice(_ volumes: Tensor, scene: Int, size s: Int) -> Int {
        let v = sceneValues(volumes, scene: scene, size: s)
        var best = s / 2, most: Float = -1
        for z in 0..<s {
            var total: Float = 0
            for i in 0..<(s * s) { total += v[(z * s * s + i) * 4 + 3] }
            if total > most { most = total; best = z }
        }
        return best
    }

    /// RGB `[S·S·3]` and density `[S·S]` of slice z of scene `scene` (rows = y, columns = x, y up).
    static func slice(_ volumes: Tensor, scene: Int, z: Int, size s: Int) -> ([Float], [Float]) {
        let v = sceneValues(volumes, scene: scene, size: s)
        var rgb = [Float](repeating: 0, count: s * s * 3), density = [Float](repeating: 0, count: s * s)
        for y in 0..<s {
            for x in 0..<s {
                let o = ((z * s + y) * s + x) * 4
                let row = s - 1 - y
                for ch in 0..<3 { rgb[(row * s + x) * 3 + ch] = v[o + ch] }
                density[row * s + x] = v[o + 3]
            }
        }
        return (rgb, density)
    }

    /// The `[S, S, S, 4]` values of one scene of `volumes`.
    static func sceneValues(_ volumes: Tensor, scene: Int, size s: Int) -> [Float] {
        let n = s * s * s * 4
        return volumes.values(in: (scene * n)..<((scene + 1) * n))
    }
}
