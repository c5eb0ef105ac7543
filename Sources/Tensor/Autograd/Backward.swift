extension Tensor {
    /// Sends gradients from this tensor back through the graph that produced it.
    ///
    /// `seed` is d(objective)/d(self); it defaults to ones, so a scalar loss needs none. Leaves
    /// (parameters, inputs with `requiresGrad`) add into their `grad`, so calling `backward()`
    /// on several losses before an optimizer step accumulates. The graph is released as it is used:
    /// each result can be differentiated once.
    public func backward(_ seed: Tensor? = nil) {
        precondition(requiresGrad, "backward: this tensor does not require gradients")
        let order = topologicalOrder()
        let seedTensor = seed ?? Tensor.ones(shape)
        precondition(seedTensor.count == count, "backward: seed of shape \(seedTensor.shape) for tensor of shape \(shape)")
        accumulateGrad(seedTensor, owned: seed == nil)
        withoutGradient {
            for tensor in order.reversed() {
                guard let node = tensor.node else { continue }
                tensor.node = nil
                if let g = tensor.grad { node.backward(tensor, g) }
                if !tensor.retainsGrad { tensor.grad = nil }
            }
        }
    }

    /// Every tensor with a recorded producer that this one depends on, inputs before results.
    private func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while let (tensor, next) = stack.popLast() {
            guard let node = tensor.node, next < node.inputs.count else {
                if tensor.node != nil { order.append(tensor) }
                continue
            }
            stack.append((tensor, next + 1))
            let input = node.inputs[next]
            if input.node != nil, visited.insert(ObjectIdentifier(input)).inserted {
                stack.append((input, 0))
            }
        }
        return order
    }
}
