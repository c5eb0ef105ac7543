/// Loop skeletons for elementwise kernels: SIMD16 over the body, a partial vector for the tail,
/// split across worker threads for large arrays.
enum Kernels {
    /// Elements per thread below which elementwise work stays on one thread.
    static let elementwiseGrain = 32_768

    /// y[i] = f(x[i])
    @inline(__always)
    static func map(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int,
                            _ f: (Vec) -> Vec) {
        @inline(__always) func run(_ r: Range<Int>) {
            var i = r.lowerBound
            while i + 16 <= r.upperBound {
                vstore(f(vload(x + i)), y + i)
                i += 16
            }
            if i < r.upperBound { vstorePartial(f(vloadPartial(x + i, r.upperBound - i)), y + i, r.upperBound - i) }
        }
        if serial(n) { run(0..<n) } else { parallelFor(n, grain: elementwiseGrain, run) }
    }

    /// z[i] = f(x[i], y[i])
    @inline(__always)
    static func map(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ z: UnsafeMutablePointer<Float>,
                            _ n: Int, _ f: (Vec, Vec) -> Vec) {
        @inline(__always) func run(_ r: Range<Int>) {
            var i = r.lowerBound
            while i + 16 <= r.upperBound {
                vstore(f(vload(x + i), vload(y + i)), z + i)
                i += 16
            }
            let m = r.upperBound - i
            if m > 0 { vstorePartial(f(vloadPartial(x + i, m), vloadPartial(y + i, m)), z + i, m) }
        }
        if serial(n) { run(0..<n) } else { parallelFor(n, grain: elementwiseGrain, run) }
    }

    /// w[i] = f(x[i], y[i], z[i])
    @inline(__always)
    static func map(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ z: UnsafePointer<Float>,
                            _ w: UnsafeMutablePointer<Float>, _ n: Int, _ f: (Vec, Vec, Vec) -> Vec) {
        @inline(__always) func run(_ r: Range<Int>) {
            var i = r.lowerBound
            while i + 16 <= r.upperBound {
                vstore(f(vload(x + i), vload(y + i), vload(z + i)), w + i)
                i += 16
            }
            let m = r.upperBound - i
            if m > 0 {
                vstorePartial(f(vloadPartial(x + i, m), vloadPartial(y + i, m), vloadPartial(z + i, m)), w + i, m)
            }
        }
        if serial(n) { run(0..<n) } else { parallelFor(n, grain: elementwiseGrain, run) }
    }

    /// True when `n` elements are done on the calling thread (so the loop inlines its function).
    @inline(__always)
    static func serial(_ n: Int) -> Bool { n < 2 * elementwiseGrain || Runtime.threads == 1 }

    /// a[i] += b[i]
    static func addInPlace(_ a: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) {
        map(a, b, a, n) { $0 + $1 }
    }

    /// Writes (accumulate == false) or adds (true) `v` into `dst`.
    @inline(__always)
    static func put(_ v: Vec, _ dst: UnsafeMutablePointer<Float>, accumulate: Bool) {
        vstore(accumulate ? vload(dst) + v : v, dst)
    }
}
