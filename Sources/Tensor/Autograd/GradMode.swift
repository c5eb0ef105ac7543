/// Whether ops record how to differentiate their results.
public enum GradMode {
    @TaskLocal static var isEnabled = true
}

/// Runs `body` without recording gradients (evaluation, optimizer updates, data preparation).
public func withoutGradient<T>(_ body: () throws -> T) rethrows -> T {
    try GradMode.$isEnabled.withValue(false, operation: body)
}
