import Foundation
import Testing

/// Package.swift tells the truth: every target declares exactly the project modules (and package
/// products) its sources import, and no module imports one above it in the layering.
@Suite struct ModuleGraphTests {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { url.deleteLastPathComponent() }
        return url
    }()

    /// Declared dependencies of each target, by name.
    static func declared() throws -> [String: Set<String>] {
        let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let target = try NSRegularExpression(pattern: #"\.(?:target|executableTarget|testTarget|systemLibrary)\(name:\s*"([A-Za-z][A-Za-z0-9]*)""#)
        let names = try NSRegularExpression(pattern: #""([A-Za-z][A-Za-z0-9]*)""#)
        let ns = manifest as NSString
        let matches = target.matches(in: manifest, range: NSRange(location: 0, length: ns.length))
        var out: [String: Set<String>] = [:]
        for (i, m) in matches.enumerated() {
            let end = i + 1 < matches.count ? matches[i + 1].range.location : ns.length
            let body = ns.substring(with: NSRange(location: m.range.upperBound, length: end - m.range.upperBound))
            var deps = Set<String>()
            if let open = body.range(of: "dependencies: ["), let close = body[open.upperBound...].range(of: "]") {
                let list = String(body[open.upperBound..<close.lowerBound])
                for d in names.matches(in: list, range: NSRange(list.startIndex..., in: list)) { deps.insert((list as NSString).substring(with: d.range(at: 1))) }
            }
            out[ns.substring(with: m.range(at: 1))] = deps
        }
        return out
    }

    /// Project modules and products imported by the Swift files under `folder`.
    static func imports(under folder: URL, known: Set<String>) -> Set<String> {
        var found = Set<String>()
        let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        for file in files where file.pathExtension == "swift" {
            let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") where line.hasPrefix("import ") {
                let name = String(line.dropFirst(7).split(separator: " ").first ?? "")
                if known.contains(name) { found.insert(name) }
            }
        }
        return found
    }

    @Test func everyTargetDeclaresExactlyWhatItImports() throws {
        let declared = try Self.declared()
        let known = Set(declared.keys).union(["Yams", "ArgumentParser"])
        #expect(declared.count >= 14)
        for (target, deps) in declared.sorted(by: { $0.key < $1.key }) where !target.hasPrefix("C") {
            let folder = Self.root.appendingPathComponent(target.hasSuffix("Tests") ? "Tests/\(target)" : "Sources/\(target)")
            let used = Self.imports(under: folder, known: known).subtracting([target])
            #expect(used == deps, "\(target): imports \(used.subtracting(deps).sorted()) undeclared, declares \(deps.subtracting(used).sorted()) unused")
        }
    }

    @Test func modulesOnlyImportModulesBelowThem() throws {
        // Bottom to top, as in README's layout table.
        let order = ["Tensor", "NN", "Fields", "Formats", "Configuration", "ZooStore", "Zoo", "Tokens", "Augment", "Training", "Tasks", "Pipeline", "pipeline"]
        let declared = try Self.declared()
        for (i, module) in order.enumerated() {
            let above = Set(order[(i + 1)...])
            let wrong = declared[module, default: []].intersection(above)
            #expect(wrong.isEmpty, "\(module) depends on \(wrong.sorted()), which sit above it")
        }
    }
}
