import Foundation
import Synchronization

/// A one-line progress bar on standard error with count, ETA and a detail such as the running
/// mean PSNR. On a terminal it redraws in place; otherwise it prints a line every 10 seconds.
public final class ProgressBar: @unchecked Sendable {
    private struct State {
        var start = Date()
        var startDone: Int?
        var lastPrint = Date.distantPast
        var lastLength = 0
    }

    private let label: String
    private let state = Mutex(State())
    private let interactive = isatty(STDERR_FILENO) != 0

    /// Set on the ranks of an MPI job other than the root, whose bars would garble the root's.
    public static let silenced = Atomic<Bool>(false)

    public init(label: String) { self.label = label }

    public func update(done: Int, total: Int, detail: String) {
        guard !Self.silenced.load(ordering: .relaxed) else { return }
        let line: String? = state.withLock { s in
            if s.startDone == nil { s.startDone = done; s.start = Date() }
            let now = Date()
            let finished = done >= total
            guard finished || now.timeIntervalSince(s.lastPrint) >= (interactive ? 0.2 : 10) else { return nil }
            s.lastPrint = now
            let elapsed = now.timeIntervalSince(s.start)
            let progressed = done - (s.startDone ?? 0)
            let eta = progressed > 0 ? elapsed / Double(progressed) * Double(total - done) : nil
            let width = 24
            let filled = total > 0 ? min(width, width * done / total) : width
            let bar = String(repeating: "=", count: filled) + (filled < width ? ">" : "") + String(repeating: " ", count: max(0, width - filled - 1))
            var text = "\(label) [\(bar)] \(done)/\(total)"
            if !detail.isEmpty { text += "  \(detail)" }
            text += "  elapsed \(Self.format(elapsed))"
            if let eta, !finished { text += "  ETA \(Self.format(eta))" }
            let padded = interactive ? "\r" + text + String(repeating: " ", count: max(0, s.lastLength - text.count)) : text + "\n"
            s.lastLength = text.count
            return finished && interactive ? padded + "\n" : padded
        }
        if let line { FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// `update` as a closure, for builders that report progress from worker threads.
    public var callback: @Sendable (Int, Int, String) -> Void { { self.update(done: $0, total: $1, detail: $2) } }

    /// "1h02m", "4m05s", "12s".
    public static func format(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, s % 3600 / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
    }
}
