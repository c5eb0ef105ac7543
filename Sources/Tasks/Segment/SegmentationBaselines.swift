/// What segmentation scores without looking at the input, on the test maps: the training set's
/// most common class everywhere, and each pixel's most common training class (a position prior).
public struct SegmentationBaselines: Codable, Sendable {
    public var majorityClass: SegmentationScores
    public var positionPrior: SegmentationScores

    public init(train: [[UInt8]], test: [[UInt8]], classes: Int, classNames: [String]) {
        let pixels = train.first?.count ?? 0
        var counts = [[Int]](repeating: [Int](repeating: 0, count: classes), count: pixels)
        var total = [Int](repeating: 0, count: classes)
        for map in train {
            for (p, c) in map.enumerated() where Int(c) < classes {
                counts[p][Int(c)] += 1
                total[Int(c)] += 1
            }
        }
        func mostCommon(_ n: [Int]) -> UInt8 { UInt8(n.indices.max { n[$0] < n[$1] } ?? 0) }
        let majority = mostCommon(total), prior = counts.map(mostCommon)
        let truth = test.flatMap { $0 }
        majorityClass = SegmentationScores(SegmentationMetrics(predicted: [UInt8](repeating: majority, count: truth.count), truth: truth,
                                                               classes: classes), classNames: classNames)
        positionPrior = SegmentationScores(SegmentationMetrics(predicted: test.flatMap { _ in prior }, truth: truth, classes: classes),
                                           classNames: classNames)
    }
}

/// Segmentation scores as a summary reports them: mIoU, pixel accuracy and IoU by class name
/// (classes in neither truth nor prediction left out).
public struct SegmentationScores: Codable, Sendable {
    public var meanIou: Float
    public var pixelAccuracy: Float
    public var classIou: [String: Float]

    public init(_ metrics: SegmentationMetrics, classNames: [String]) {
        meanIou = metrics.meanIoU
        pixelAccuracy = metrics.pixelAccuracy
        var byName: [String: Float] = [:]
        for (c, iou) in metrics.classIoU.enumerated() {
            if let iou { byName[c < classNames.count ? classNames[c] : "class \(c)"] = iou }
        }
        classIou = byName
    }
}
