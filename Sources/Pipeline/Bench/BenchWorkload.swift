import Foundation
import Tensor

/// One training (or query) step to time, built with the shapes of a PyTorch reference script.
public protocol BenchWorkload: AnyObject {
    /// The name `--workload` selects, e.g. "mae3d".
    static var name: String { get }
    /// What the step does, for `--help` and the report.
    static var summary: String { get }
    /// Runs one full step and returns its loss (or a checksum for query workloads).
    func step() -> Float
    /// Workload-specific fields for the JSON report (batch, tokens, parameters, …).
    var details: [String: BenchValue] { get }
}

/// A value in a bench report.
public enum BenchValue: Sendable, Equatable, Encodable {
    case int(Int), double(Double), string(String), ints([Int]), doubles([Double])

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case let .int(v): try c.encode(v)
        case let .double(v): try c.encode(v)
        case let .string(v): try c.encode(v)
        case let .ints(v): try c.encode(v)
        case let .doubles(v): try c.encode(v)
        }
    }
}

/// The workloads `pipeline bench` knows, in the order it runs them.
public enum BenchCatalog {
    public static let all: [(name: String, summary: String, make: @Sendable (inout RandomGenerator) -> BenchWorkload)] = [
        (MAE3DWorkload.name, MAE3DWorkload.summary, { MAE3DWorkload(rng: &$0) }),
        (ViTTinyWorkload.name, ViTTinyWorkload.summary, { ViTTinyWorkload(rng: &$0) }),
        (PoseWorkload.name, PoseWorkload.summary, { PoseWorkload(rng: &$0) }),
        (NeRFWorkload.name, NeRFWorkload.summary, { NeRFWorkload(rng: &$0) }),
        ("nerf_zoo", "NeRF fit step at the 3D zoo's default size: 512 rays × 32 samples, 4×64 MLP, Adam",
         { NeRFWorkload(rng: &$0, rays: 512, samples: 32, width: 64) }),
        (SIRENFitWorkload.name, SIRENFitWorkload.summary, { SIRENFitWorkload(rng: &$0) }),
        (ClassifyWorkload.name, ClassifyWorkload.summary, { ClassifyWorkload(rng: &$0) }),
        (SegmentWorkload.name, SegmentWorkload.summary, { SegmentWorkload(rng: &$0) }),
        (SIRENQueryWorkload.name, SIRENQueryWorkload.summary, { SIRENQueryWorkload(rng: &$0) }),
        (SGEMMWorkload.name, SGEMMWorkload.summary, { SGEMMWorkload(rng: &$0) }),
    ]

    public static var names: [String] { all.map(\.name) }
}
