/// Sliding-window extraction for convolutions (im2col), so a Conv2d is one matrix product.
extension Tensor {
    /// Windows of images `[B, C, H, W]`: `[B, Ho·Wo, C·k·k]`, each row one k×k window (zero outside
    /// the image) with features ordered (c, row, column) as PyTorch flattens a Conv2d weight
    /// `[O, C, k, k]`. Ho = (H + 2·padding − k) / stride + 1, likewise Wo.
    public func unfold2D(kernel k: Int, stride: Int, padding: Int) -> Tensor {
        let (ho, wo) = check { () throws(TensorError) in
            guard rank == 4 else { throw .invalidArgument(op: "unfold2D", message: "input \(shape) must be [B, C, H, W]") }
            guard k >= 1, stride >= 1, padding >= 0 else {
                throw .invalidArgument(op: "unfold2D", message: "kernel \(k), stride \(stride), padding \(padding) must be positive (padding ≥ 0)")
            }
            let ho = (shape[2] + 2 * padding - k) / stride + 1, wo = (shape[3] + 2 * padding - k) / stride + 1
            guard shape[2] + 2 * padding >= k, shape[3] + 2 * padding >= k else {
                throw .invalidArgument(op: "unfold2D", message: "kernel \(k) is larger than the padded input \(shape)")
            }
            return (ho, wo)
        }
        let (b, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let columns = c * k * k, rows = ho * wo
        let out = Tensor(uninitialized: [b, rows, columns])
        /// Visits every (output element, input element or nil when in the padding).
        func walk(_ body: (_ outIndex: Int, _ inIndex: Int?) -> Void) {
            for n in 0..<b {
                for oy in 0..<ho {
                    for ox in 0..<wo {
                        let rowBase = (n * rows + oy * wo + ox) * columns
                        for ch in 0..<c {
                            let plane = (n * c + ch) * h * w
                            for ky in 0..<k {
                                let y = oy * stride - padding + ky
                                for kx in 0..<k {
                                    let x = ox * stride - padding + kx
                                    let o = rowBase + (ch * k + ky) * k + kx
                                    body(o, y >= 0 && y < h && x >= 0 && x < w ? plane + y * w + x : nil)
                                }
                            }
                        }
                    }
                }
            }
        }
        let src = data, dst = out.data
        walk { o, i in dst[o] = i.map { src[$0] } ?? 0 }
        out.record("unfold2D", [self]) { _, g in
            self.withGradBuffer { gx, accumulate in
                if !accumulate { gx.update(repeating: 0, count: self.count) }
                let gy = g.data
                walk { o, i in if let i { gx[i] += gy[o] } }
            }
        }
        return out
    }
}
