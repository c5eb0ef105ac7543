/// Everything a training run needs to continue exactly where it stopped.
public struct TrainingState: Codable, Equatable, Sendable {
    /// Optimizer updates done so far.
    public var step: Int
    /// The epoch in progress and how many of its batches are done (the data cursor).
    public var epoch: Int
    public var batchInEpoch: Int
    /// State words of each named random stream (e.g. "mask", "dropout").
    public var randomStreams: [String: [UInt64]]
    /// The last finished epoch's metrics, for the closing table.
    public var lastMetrics: [String: Double]
    /// Sum and count of the losses of the epoch in progress (its mean training loss).
    public var epochLossSum: Double
    public var epochLossCount: Int

    public init(step: Int = 0, epoch: Int = 0, batchInEpoch: Int = 0, randomStreams: [String: [UInt64]] = [:],
                lastMetrics: [String: Double] = [:], epochLossSum: Double = 0, epochLossCount: Int = 0) {
        self.step = step
        self.epoch = epoch
        self.batchInEpoch = batchInEpoch
        self.randomStreams = randomStreams
        self.lastMetrics = lastMetrics
        self.epochLossSum = epochLossSum
        self.epochLossCount = epochLossCount
    }
}
