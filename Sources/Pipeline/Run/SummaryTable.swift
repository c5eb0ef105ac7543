import Foundation
import Formats

/// A stage's summary as rows of (dotted key, value), e.g. `unseen_view.predicted.rotation_median_deg`:
/// the closing table of a run and the numbers an ablation tabulates.
public struct SummaryTable: Sendable {
    public let rows: [(key: String, value: String)]
    /// The numeric leaves at full precision.
    public let numbers: [String: Double]

    public init(rows: [(key: String, value: String)] = [], numbers: [String: Double] = [:]) {
        self.rows = rows
        self.numbers = numbers
    }

    /// The leaves of a JSON object, keys sorted; nil when `json` is not an object.
    public init?(json: Data) {
        guard let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else { return nil }
        var rows: [(key: String, value: String)] = [], numbers: [String: Double] = [:]
        func walk(_ value: Any, _ key: String) {
            switch value {
            case let object as [String: Any]: for k in object.keys.sorted() { walk(object[k]!, key.isEmpty ? k : "\(key).\(k)") }
            case let number as NSNumber:
                let d = number.doubleValue
                numbers[key] = d
                rows.append((key, d == d.rounded() && Swift.abs(d) < 1e15 ? String(Int(d)) : String(format: "%.6g", d)))
            case is NSNull: rows.append((key, "null"))
            case let list as [Any]: rows.append((key, "[" + list.map { "\($0)" }.joined(separator: ", ") + "]"))
            default: rows.append((key, "\(value)"))
            }
        }
        walk(object, "")
        self.rows = rows
        self.numbers = numbers
    }

    /// The summary as JSON text and rows.
    public init<S: Encodable>(_ summary: S) {
        self = (try? JSONOutput.data(summary)).flatMap(SummaryTable.init(json:)) ?? SummaryTable()
    }

    /// Two aligned columns under a title.
    public func text(title: String) -> String {
        let width = rows.map(\.key.count).max() ?? 0
        return ([title] + rows.map { "  \($0.key.padding(toLength: width, withPad: " ", startingAt: 0))  \($0.value)" }).joined(separator: "\n")
    }
}
