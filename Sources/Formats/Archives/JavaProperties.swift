/// Java `.properties` text (Latin-1, `\uXXXX` escapes, `\` line continuations, `#`/`!` comments).
public enum JavaProperties {
    public static func parse(_ bytes: [UInt8]) -> [String: String] {
        let text = String(bytes.map { Character(Unicode.Scalar($0)) })
        var result: [String: String] = [:]
        var logical = ""
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            var line = String(rawLine)
            if logical.isEmpty { line = String(line.drop { $0 == " " || $0 == "\t" }) }
            else { line = String(line.drop { $0 == " " || $0 == "\t" || $0 == "\u{0C}" }) }
            if logical.isEmpty, line.hasPrefix("#") || line.hasPrefix("!") || line.isEmpty { continue }
            let trailing = line.reversed().prefix { $0 == "\\" }.count
            if trailing % 2 == 1 {
                logical += line.dropLast()
                continue
            }
            logical += line
            if let (k, v) = splitPair(logical) { result[unescape(k)] = unescape(v) }
            logical = ""
        }
        return result
    }

    private static func splitPair(_ line: String) -> (String, String)? {
        var chars = Array(line)
        var i = 0
        while i < chars.count {
            if chars[i] == "\\" { i += 2; continue }
            if chars[i] == "=" || chars[i] == ":" || chars[i] == " " || chars[i] == "\t" { break }
            i += 1
        }
        let key = String(chars[0..<Swift.min(i, chars.count)])
        while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 }
        if i < chars.count, chars[i] == "=" || chars[i] == ":" { i += 1 }
        while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 }
        chars = Array(chars[Swift.min(i, chars.count)...])
        return key.isEmpty ? nil : (key, String(chars))
    }

    private static func unescape(_ s: String) -> String {
        var out = ""
        var it = Array(s.unicodeScalars)[...]
        while let c = it.popFirst() {
            guard c == "\\", let n = it.popFirst() else { out.unicodeScalars.append(c); continue }
            switch n {
            case "t": out += "\t"
            case "n": out += "\n"
            case "r": out += "\r"
            case "f": out += "\u{0C}"
            case "u":
                let hex = String(String.UnicodeScalarView(it.prefix(4)))
                it = it.dropFirst(4)
                if let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v) { out.unicodeScalars.append(scalar) }
            default: out.unicodeScalars.append(n)
            }
        }
        return out
    }
}
