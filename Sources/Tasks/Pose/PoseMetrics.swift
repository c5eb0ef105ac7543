/// Summary statistics of pose errors over a split.
public struct PoseMetrics: Codable, Sendable, Equatable {
    public var rotationMeanDeg: Double
    public var rotationMedianDeg: Double
    /// World units (the default cameras sit at distance 4).
    public var translationMean: Double
    public var translationMedian: Double
    /// Shares of views whose rotation error is under 5°, 15° and 30°.
    public var under5Deg: Double
    public var under15Deg: Double
    public var under30Deg: Double

    enum CodingKeys: String, CodingKey {
        case rotationMeanDeg, rotationMedianDeg, translationMean, translationMedian
        case under5Deg = "under_5deg", under15Deg = "under_15deg", under30Deg = "under_30deg"
    }

    /// The statistics of `errors`; nil when there are none.
    public init?(_ errors: [PoseError]) {
        guard !errors.isEmpty else { return nil }
        func median(_ v: [Float]) -> Double {
            let s = v.sorted()
            return Double(s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
        }
        func share(under threshold: Float) -> Double {
            Double(errors.filter { $0.rotationDegrees < threshold }.count) / Double(errors.count)
        }
        let r = errors.map(\.rotationDegrees), t = errors.map(\.translation)
        rotationMeanDeg = Double(r.reduce(0, +)) / Double(r.count)
        rotationMedianDeg = median(r)
        translationMean = Double(t.reduce(0, +)) / Double(t.count)
        translationMedian = median(t)
        under5Deg = share(under: 5)
        under15Deg = share(under: 15)
        under30Deg = share(under: 30)
    }

    /// The statistics as metrics named `prefix` + key, e.g. `unseen_view_rotation_median_deg`.
    public func named(prefix: String) -> [String: Double] {
        ["rotation_mean_deg": rotationMeanDeg, "rotation_median_deg": rotationMedianDeg, "translation_mean": translationMean,
         "translation_median": translationMedian, "under_5deg": under5Deg, "under_15deg": under15Deg, "under_30deg": under30Deg]
            .reduce(into: [:]) { $0[prefix + $1.key] = $1.value }
    }
}
