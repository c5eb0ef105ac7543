import Tensor

/// Scales all gradients down so their joint L2 norm is at most `maxNorm`; returns the norm
/// before clipping (as `torch.nn.utils.clip_grad_norm_`).
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    var total = 0.0
    for p in parameters { if let g = p.grad { total += Double(g.sumOfSquares()) } }
    let norm = Float(total.squareRoot())
    let scale = maxNorm / (norm + 1e-6)
    if scale < 1 {
        for p in parameters {
            guard let g = p.grad else { continue }
            g.scaleInPlace(by: scale)
        }
    }
    return norm
}
