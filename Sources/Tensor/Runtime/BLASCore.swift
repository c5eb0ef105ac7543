import COpenBLAS
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Checks which kernels OpenBLAS picked for this CPU and repairs a poor choice.
///
/// Debian's OpenBLAS 0.3.21 does not know recent Intel CPUs and falls back to its Prescott (SSE3)
/// kernels, 5 to 8 times slower than the AVX-512 ones. The core is chosen before `main` runs, so the
/// only repair is to set `OPENBLAS_CORETYPE` and start the program again. A value the user set is
/// never overridden.
public enum BLASCore {
    /// The kernel family OpenBLAS is using, e.g. "Cooperlake", "SkylakeX", "Haswell", "Prescott".
    public static var name: String { String(cString: openblas_get_corename()) }

    /// Environment variable that marks a process already restarted by `repairIfNeeded`.
    static let restartMarker = "IMPLICIT_ZOO_BLAS_RESTARTED"

    /// Cores that use no AVX2: slow on any CPU that has it.
    static let slowCores: Set<String> = ["Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom",
                                         "Katmai", "Coppermine", "Northwood", "Banias", "Opteron",
                                         "Opteron_SSE3", "Barcelona", "Nano", "Sandybridge", "Bobcat",
                                         "Bulldozer", "Piledriver", "Steamroller", "Excavator", "Unknown"]

    /// The `OPENBLAS_CORETYPE` to use instead of `core` on a CPU with these feature flags, or nil
    /// when the choice is already good or nothing better is known.
    public static func betterCoreType(current core: String, cpuFlags: Set<String>) -> String? {
        guard slowCores.contains(core) else { return nil }
        if cpuFlags.contains("avx512_bf16") && cpuFlags.contains("avx512f") { return "Cooperlake" }
        if cpuFlags.contains("avx512f") && cpuFlags.contains("avx512vl") { return "SkylakeX" }
        if cpuFlags.contains("avx2") && cpuFlags.contains("fma") { return "Haswell" }
        return nil
    }

    /// The feature flags of the first CPU in /proc/cpuinfo (empty where it cannot be read).
    public static func cpuFlags() -> Set<String> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return [] }
        for line in text.split(separator: "\n") where line.hasPrefix("flags") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        }
        return []
    }

    /// Restarts the process with a better `OPENBLAS_CORETYPE` when OpenBLAS chose slow kernels and
    /// the user set none. Returns a one-line note to print when this process is such a restart.
    public static func repairIfNeeded() -> String? {
        if let marker = getenv(restartMarker) {
            let from = String(cString: marker)
            return "note: OpenBLAS chose its \(from) kernels for this CPU; restarted with OPENBLAS_CORETYPE=\(environment("OPENBLAS_CORETYPE") ?? "?") (now \(name)). Set OPENBLAS_CORETYPE yourself to choose."
        }
        guard getenv("OPENBLAS_CORETYPE") == nil else { return nil }
        let current = name
        guard let better = betterCoreType(current: current, cpuFlags: cpuFlags()) else { return nil }
        setenv("OPENBLAS_CORETYPE", better, 1)
        setenv(restartMarker, current, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // execv returns only on failure: go on with the slow kernels.
        unsetenv("OPENBLAS_CORETYPE")
        unsetenv(restartMarker)
        return "warning: OpenBLAS chose its slow \(current) kernels and restarting with OPENBLAS_CORETYPE=\(better) failed; set it yourself for 5-8x faster matrix products."
    }

    private static func environment(_ key: String) -> String? {
        getenv(key).map { String(cString: $0) }
    }
}
