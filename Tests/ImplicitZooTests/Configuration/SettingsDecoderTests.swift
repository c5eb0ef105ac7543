import Configuration
import Testing

/// A small settings struct with every kind of field the stages use.
fileprivate struct Sample: StageSettings, Equatable {
    enum Mode: String, Codable, CaseIterable, Sendable { case fast, careful = "very-careful" }
    struct Inner: Codable, Equatable, Sendable {
        var width = 64
        var omega: Float = 30
    }

    var trainCount = 1_000
    var gatePSNR: Float = 21
    var fieldOfViewX: Float = 0.69
    var path: String?
    var enabled = true
    var mode = Mode.fast
    var channels = [32, 64]
    var offset = SIMD3<Float>(0, 0, 2.4)
    var inner = Inner()
    var seed: UInt64?

    init() {}

    func validate(_ check: SettingsCheck) throws(ConfigError) {
        try check.range(trainCount, 0...10_000, "train_count")
        try check.range(inner.width, 1...4096, "inner.width")
    }
}

@Suite struct SettingsDecoderTests {
    fileprivate func decode(_ yaml: String) throws(ConfigError) -> Sample {
        try SettingsDecoder.decode(Sample.self, from: try ConfigNode.parse(yaml: yaml, file: "f.yaml"), file: "f.yaml", path: "stages.s")
    }

    @Test func keysLeftOutKeepTheDefaultsAndGivenKeysAreTyped() throws {
        #expect(try decode("{}") == Sample())
        let s = try decode("""
            train_count: 7
            gate_psnr: 25.5
            field_of_view_x: 0.8
            path: /data
            enabled: no
            mode: very-careful
            channels: [1, 2, 3]
            offset: [1, 2, 3]
            inner: {omega: 10}
            seed: 42
            """)
        #expect(s.trainCount == 7 && s.gatePSNR == 25.5 && s.fieldOfViewX == 0.8 && s.path == "/data" && !s.enabled)
        #expect(s.mode == .careful && s.channels == [1, 2, 3] && s.offset == SIMD3(1, 2, 3) && s.seed == 42)
        #expect(s.inner == Sample.Inner(width: 64, omega: 10))
        // null resets an optional; `key:` with nothing after it is null too.
        #expect(try decode("path: null\nseed:").path == nil)
    }

    @Test func anUnknownKeyNamesFileAndKeyAndSuggestsTheNearest() {
        #expect(throws: ConfigError.unknownKey(file: "f.yaml", section: "stages.s", key: "train_cont",
                                               known: ["train_count", "gate_psnr", "field_of_view_x", "path", "enabled", "mode",
                                                       "channels", "offset", "inner", "seed"])) { try decode("train_cont: 3") }
        do {
            _ = try decode("inner: {widht: 3}")
            Issue.record("a misspelt nested key was accepted")
        } catch {
            #expect(error.description.contains("'stages.s.inner.widht' (did you mean 'width'?)"))
        }
    }

    @Test func wrongTypesAndValuesNameTheKey() {
        #expect(throws: ConfigError.wrongType(file: "f.yaml", key: "stages.s.train_count", expected: "an integer", found: "many")) {
            try decode("train_count: many")
        }
        #expect(throws: ConfigError.wrongType(file: "f.yaml", key: "stages.s.seed", expected: "a whole number of at least 0", found: "-1")) {
            try decode("seed: -1")
        }
        #expect(throws: ConfigError.wrongType(file: "f.yaml", key: "stages.s.enabled", expected: "true or false", found: "maybe")) {
            try decode("enabled: maybe")
        }
        #expect(throws: ConfigError.wrongType(file: "f.yaml", key: "stages.s.channels[1]", expected: "an integer", found: "x")) {
            try decode("channels: [1, x]")
        }
        #expect(throws: ConfigError.wrongType(file: "f.yaml", key: "stages.s.inner", expected: "a mapping of keys", found: "3")) {
            try decode("inner: 3")
        }
        #expect(throws: ConfigError.invalidValue(file: "f.yaml", key: "stages.s.mode", reason: "'slow' is not one of fast, very-careful")) {
            try decode("mode: slow")
        }
        #expect(throws: ConfigError.invalidValue(file: "f.yaml", key: "stages.s.train_count", reason: "20000 is outside 0...10000")) {
            try decode("train_count: 20000")
        }
        #expect(throws: ConfigError.invalidValue(file: "f.yaml", key: "stages.s.inner.width", reason: "0 is outside 1...4096")) {
            try decode("inner: {width: 0}")
        }
        #expect(throws: ConfigError.self) { try decode("offset: [1, 2]") }
    }

    @Test func encodingWritesEveryKeyInSnakeCaseAndDecodesBackTheSame() throws {
        var s = Sample()
        s.mode = .careful
        s.seed = 9
        let node = try SettingsEncoder.encode(s)
        guard case let .mapping(pairs) = node else { Issue.record("not a mapping: \(node)"); return }
        #expect(pairs.map(\.0) == ["train_count", "gate_psnr", "field_of_view_x", "path", "enabled", "mode", "channels", "offset",
                                   "inner", "seed"])
        #expect(node.value(at: ["path"]) == .null && node.value(at: ["mode"]) == .scalar("very-careful"))
        #expect(try SettingsDecoder.decode(Sample.self, from: node, file: "f", path: "") == s)
    }
}
