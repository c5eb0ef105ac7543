/// Scores of class predictions against the truth, as torchmetrics computes the paper's: accuracy
/// over all examples, precision, recall and F1 as macro averages over classes.
public struct ClassificationMetrics: Codable, Sendable, Equatable {
    public var accuracy: Double
    public var precision: Double
    public var recall: Double
    public var f1: Double
    /// `confusion[truth][predicted]` counts.
    public var confusion: [[Int]]

    /// The scores of `predicted` against `truth` over `classes` classes. A class never predicted
    /// has precision 0, one absent from the truth recall 0 (torchmetrics' zero-division default);
    /// both still count in the macro averages.
    public init(predicted: [Int], truth: [Int], classes: Int) {
        precondition(predicted.count == truth.count, "ClassificationMetrics: \(predicted.count) predictions for \(truth.count) labels")
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        for (p, t) in zip(predicted, truth) { confusion[t][p] += 1 }
        let correct = (0..<classes).reduce(0) { $0 + confusion[$1][$1] }
        var precision = 0.0, recall = 0.0, f1 = 0.0
        for c in 0..<classes {
            let predictedAsC = (0..<classes).reduce(0) { $0 + confusion[$1][c] }
            let trulyC = confusion[c].reduce(0, +)
            let p = predictedAsC > 0 ? Double(confusion[c][c]) / Double(predictedAsC) : 0
            let r = trulyC > 0 ? Double(confusion[c][c]) / Double(trulyC) : 0
            precision += p
            recall += r
            f1 += p + r > 0 ? 2 * p * r / (p + r) : 0
        }
        let k = Double(max(classes, 1))
        accuracy = truth.isEmpty ? 0 : Double(correct) / Double(truth.count)
        self.precision = precision / k
        self.recall = recall / k
        self.f1 = f1 / k
        self.confusion = confusion
    }

    /// The scores as metric-log entries, each name prefixed (e.g. `test_accuracy`).
    public func logged(prefix: String) -> [String: Double] {
        ["\(prefix)_accuracy": accuracy, "\(prefix)_precision": precision, "\(prefix)_recall": recall, "\(prefix)_f1": f1]
    }
}
