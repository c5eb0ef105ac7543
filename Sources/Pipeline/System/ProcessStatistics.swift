import Foundation

/// Resident memory and CPU load readings from /proc (Linux).
public enum ProcessStatistics {
    /// The process's peak resident set (VmHWM) in bytes, or nil where /proc is missing.
    public static func peakResidentBytes() -> Int? { statusField("VmHWM") }

    /// The process's current resident set (VmRSS) in bytes.
    public static func residentBytes() -> Int? { statusField("VmRSS") }

    /// Resets the peak resident set to the current one, so the next reading covers only what follows.
    public static func resetPeakResident() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    private static func statusField(_ key: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let kb = Int(parts[1]) { return kb * 1024 }
        }
        return nil
    }

    /// Busy and steal jiffies of the whole machine (first line of /proc/stat).
    static func machineJiffies() -> (busy: Int, steal: Int) {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first else { return (0, 0) }
        let v = line.split(separator: " ").dropFirst().compactMap { Int($0) }
        guard v.count >= 8 else { return (0, 0) }
        return (v[0] + v[1] + v[2] + v[5] + v[6], v[7])
    }

    /// CPU seconds this process has used (all threads).
    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }
}

/// Measures how many cores other processes used during a window (the same measure as the PyTorch
/// reference scripts), so a step slowed by a neighbour can be told apart.
struct ForeignLoadMonitor {
    private var start = Date()
    private var busy = 0
    private var own = 0.0
    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    mutating func begin() {
        start = Date()
        busy = ProcessStatistics.machineJiffies().busy
        own = ProcessStatistics.ownCPUSeconds()
    }

    /// Cores used by other processes since `begin()`.
    func foreignCores() -> Double {
        let elapsed = max(Date().timeIntervalSince(start), 1e-9)
        let busySeconds = Double(ProcessStatistics.machineJiffies().busy - busy) / Self.ticksPerSecond
        let ownSeconds = ProcessStatistics.ownCPUSeconds() - own
        return max(0, (busySeconds - ownSeconds) / elapsed)
    }
}
