import Foundation
import Formats
import ZooStore

/// The paper's quality control for 3-D zoos: drop scenes under a PSNR gate, drop classes left with
/// too few scenes, and hold out the last scenes of each class as unseen scenes.
public struct QualityControl: Sendable {
    public let gatePSNR: Float
    public let minimumPerClass: Int
    public let heldOutShare: Float

    public init(gatePSNR: Float, minimumPerClass: Int, heldOutShare: Float) {
        self.gatePSNR = gatePSNR
        self.minimumPerClass = minimumPerClass
        self.heldOutShare = heldOutShare
    }

    /// Filters `records` (labels index `classNames`) and relabels the survivors over the classes left.
    public func apply(_ records: [ZooRecord], classNames: [String]) -> QualityReport {
        var dropped: [QualityReport.Drop] = []
        var passing: [ZooRecord] = []
        for r in records {
            if r.psnr == -.infinity {
                dropped.append(.init(name: r.name, psnr: nil, reason: "collapsed to an empty scene in every attempt"))
            } else if !r.psnr.isFinite {
                dropped.append(.init(name: r.name, psnr: nil, reason: "held-out PSNR \(r.psnr) is not a finite number (a diverged fit or no held-out pixels)"))
            } else if r.psnr < gatePSNR {
                dropped.append(.init(name: r.name, psnr: r.psnr, reason: String(format: "held-out PSNR %.2f dB is below the %.1f dB gate", r.psnr, gatePSNR)))
            } else {
                passing.append(r)
            }
        }
        let perClass = Dictionary(grouping: passing, by: \.label)
        var keptClasses: [Int] = []
        for label in perClass.keys.sorted() {
            let members = perClass[label]!
            if members.count >= minimumPerClass {
                keptClasses.append(label)
            } else {
                for r in members {
                    dropped.append(.init(name: r.name, psnr: r.psnr,
                                         reason: "class '\(classNames[label])' kept only \(members.count) scenes (minimum \(minimumPerClass))"))
                }
            }
        }
        var kept: [ZooRecord] = []
        for (newLabel, label) in keptClasses.enumerated() {
            let members = perClass[label]!.sorted { $0.name < $1.name }
            let heldOut = max(1, Int((Float(members.count) * heldOutShare).rounded(.up)))
            for (i, var r) in members.enumerated() {
                r.label = newLabel
                r.split = i >= members.count - heldOut ? .test : .train
                kept.append(r)
            }
        }
        let names = keptClasses.map { classNames[$0] }
        return QualityReport(gatePSNR: gatePSNR, candidates: records.count, kept: kept, dropped: dropped, classNames: names,
                             perClass: Dictionary(uniqueKeysWithValues: keptClasses.map { (classNames[$0], perClass[$0]!.count) }))
    }
}

/// What quality control kept and dropped, and why.
public struct QualityReport: Sendable {
    public struct Drop: Sendable, Codable {
        public let name: String
        public let psnr: Float?
        public let reason: String
    }

    public let gatePSNR: Float
    public let candidates: Int
    public let kept: [ZooRecord]
    public let dropped: [Drop]
    public let classNames: [String]
    public let perClass: [String: Int]

    public var passRate: Float { candidates > 0 ? Float(candidates - dropped.filter { $0.reason.contains("below") || $0.reason.contains("collapsed") }.count) / Float(candidates) : 0 }

    /// Writes the report as JSON (atomically).
    public func write(to path: String) throws(FormatError) {
        struct Body: Encodable {
            let gatePsnr: Float, candidates: Int, kept: Int, passRate: Float
            let classes: [String: Int], keptScenes: [String], keptPsnr: [Float], dropped: [Drop]
        }
        try JSONOutput.write(Body(gatePsnr: gatePSNR, candidates: candidates, kept: kept.count, passRate: passRate, classes: perClass,
                                  keptScenes: kept.map(\.name), keptPsnr: kept.map(\.psnr), dropped: dropped), to: path)
    }
}
