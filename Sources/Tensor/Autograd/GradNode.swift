/// The record an op leaves on its result: its inputs and how to send the result's gradient to them.
final class GradNode {
    /// The op's name, for debugging and error messages.
    let op: String
    let inputs: [Tensor]
    /// Receives the result and its gradient; adds each input's share to that input's `grad`.
    let backward: (_ output: Tensor, _ gradOutput: Tensor) -> Void

    init(op: String, inputs: [Tensor], backward: @escaping (_ output: Tensor, _ gradOutput: Tensor) -> Void) {
        self.op = op
        self.inputs = inputs
        self.backward = backward
    }
}

extension Tensor {
    /// True when an op over these inputs must record its backward pass.
    static func needsGrad(_ inputs: Tensor...) -> Bool {
        GradMode.isEnabled && inputs.contains { $0.requiresGrad }
    }

    /// True when an op over these inputs must record its backward pass.
    static func needsGrad(_ inputs: [Tensor]) -> Bool {
        GradMode.isEnabled && inputs.contains { $0.requiresGrad }
    }

    /// Marks this freshly computed tensor as the result of `op` over `inputs`, if any input needs
    /// gradients. The closure must not capture the result; it receives it as its first argument.
    func record(_ op: String, _ inputs: [Tensor],
                        backward: @escaping (_ output: Tensor, _ gradOutput: Tensor) -> Void) {
        guard Tensor.needsGrad(inputs) else { return }
        requiresGrad = true
        node = GradNode(op: op, inputs: inputs, backward: backward)
    }

    /// Adds `g` into this tensor's gradient. With `owned`, `g` is a fresh tensor nobody else
    /// writes, and becomes the gradient itself when there is none yet.
    func accumulateGrad(_ g: Tensor, owned: Bool) {
        precondition(g.count == count, "backward: gradient of shape \(g.shape) for tensor of shape \(shape)")
        guard requiresGrad else { return }
        if let existing = grad {
            Kernels.addInPlace(existing.data, g.data, count)
        } else if owned {
            grad = g.shape == shape ? g : Tensor(shape: shape, storage: g.storage)
        } else {
            let copy = Tensor(uninitialized: shape)
            copy.data.update(from: g.data, count: count)
            grad = copy
        }
    }

    /// Gives a kernel this tensor's gradient buffer to add into. When there is no gradient yet the
    /// buffer is new and uninitialized and `accumulate` is false: the kernel must overwrite it all.
    func withGradBuffer(_ body: (_ pointer: UnsafeMutablePointer<Float>, _ accumulate: Bool) -> Void) {
        guard requiresGrad else { return }
        if let existing = grad {
            body(existing.data, true)
        } else {
            let g = Tensor(uninitialized: shape)
            body(g.data, false)
            grad = g
        }
    }
}
