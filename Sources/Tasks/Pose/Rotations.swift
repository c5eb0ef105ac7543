import Tensor
#if canImport(Glibc)
import Glibc
#endif

/// Rotation representations and errors, as tensor ops (differentiable) and plain math.
public enum Rotations {
    /// Gram-Schmidt of the 6-D representation (Zhou et al. 2019): rows b1, b2, b3 of R from the
    /// two 3-vectors of x `[M, 6]`; returns `[M, 3, 3]`.
    public static func matrix(from6D x: Tensor) -> Tensor {
        let m = x.shape[0]
        let a1 = x.slice(axis: 1, 0..<3), a2 = x.slice(axis: 1, 3..<6)
        let b1 = normalize(a1)
        let b2 = normalize(a2 - b1 * (b1 * a2).sum(axis: 1, keepDims: true))
        let b3 = cross(b1, b2)
        return Tensor.stack([b1, b2, b3], axis: 1).reshaped(m, 3, 3)
    }

    /// The 6-D representation (first two rows) of rotation matrices `[M, 3, 3]`.
    public static func sixD(of r: Tensor) -> Tensor {
        r.slice(axis: 1, 0..<2).reshaped(r.shape[0], 6)
    }

    static func normalize(_ v: Tensor) -> Tensor { v / (v.squared().sum(axis: 1, keepDims: true) + 1e-12).sqrt() }

    /// Row-wise cross product of `[M, 3]` tensors.
    static func cross(_ a: Tensor, _ b: Tensor) -> Tensor {
        func c(_ t: Tensor, _ i: Int) -> Tensor { t.slice(axis: 1, i..<(i + 1)) }
        return Tensor.concat([c(a, 1) * c(b, 2) - c(a, 2) * c(b, 1),
                              c(a, 2) * c(b, 0) - c(a, 0) * c(b, 2),
                              c(a, 0) * c(b, 1) - c(a, 1) * c(b, 0)], axis: 1)
    }

    /// Geodesic angle in degrees between two rotations (row-major 3×3): arccos((tr(AᵀB) − 1)/2).
    public static func angleDegrees(_ a: [Float], _ b: [Float]) -> Float {
        var trace: Float = 0
        for i in 0..<3 { for k in 0..<3 { trace += a[3 * k + i] * b[3 * k + i] } }
        let c = min(max((trace - 1) / 2, -1), 1)
        return acosf(c) * 180 / .pi
    }

    /// The rotation by `degrees` about a unit axis, row-major.
    public static func axisAngle(_ axis: SIMD3<Float>, degrees: Float) -> [Float] {
        let t = degrees * .pi / 180, c = cosf(t), s = sinf(t), k = 1 - c
        let (x, y, z) = (axis.x, axis.y, axis.z)
        return [c + x * x * k, x * y * k - z * s, x * z * k + y * s,
                y * x * k + z * s, c + y * y * k, y * z * k - x * s,
                z * x * k - y * s, z * y * k + x * s, c + z * z * k]
    }
}
