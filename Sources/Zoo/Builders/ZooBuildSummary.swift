/// Receives a long build's progress: items done, items in all, a short status such as the running
/// mean PSNR. Called from worker threads.
public typealias BuildProgress = @Sendable (_ done: Int, _ total: Int, _ detail: String) -> Void

/// What a build did.
public struct ZooBuildSummary: Sendable {
    public let total: Int
    public let fittedNow: Int
    public let alreadyDone: Int
    /// Over the fits that did not collapse.
    public let meanPSNR: Float
    public let seconds: Double
}
