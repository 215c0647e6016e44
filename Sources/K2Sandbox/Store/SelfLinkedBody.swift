#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import OrderedJSON

/// A resource's `{"data":...}` body rendered once per stage, split around the value of
/// `_links.self` so that serving it to any origin is two copies, not a JSON encoding.
public struct SelfLinkedBody: Sendable, Equatable {
    let head: [UInt8]
    let tail: [UInt8]

    /// Renders `document`, whose `data.attributes._links.self` is set (or added) to a marker.
    public init(document: JSON) {
        var document = document
        if case .object(var root) = document,
           case .object(var data) = root["data"] ?? .null,
           case .object(var attributes) = data["attributes"] ?? .null {
            var links = attributes["_links"]?.objectValue ?? JSONObject()
            links["self"] = .string(SelfLinkedBody.marker)
            attributes["_links"] = .object(links)
            data["attributes"] = .object(attributes)
            root["data"] = .object(data)
            document = .object(root)
        }
        let bytes = document.serialized()
        let needle = Array(JSON.string(SelfLinkedBody.marker).serialized())
        if let start = firstIndex(of: needle, in: bytes) {
            head = Array(bytes[..<(start + 1)])
            tail = Array(bytes[(start + needle.count - 1)...])
        } else {
            head = bytes
            tail = []
        }
    }

    /// The body with `self` pointing at `selfURL`.
    public func body(selfURL: String) -> [UInt8] {
        body { out in selfURL.withUTF8Bytes { out.append(contentsOf: $0) } }
    }

    /// The body with `self` pointing at the URL `writeSelfURL` appends to the bytes it is given
    /// (escaped here if it needs to be): the URL is written in place, never made a string.
    public func body(writingSelfURL writeSelfURL: (inout [UInt8]) -> Void) -> [UInt8] {
        guard !tail.isEmpty else { return head }
        var out: [UInt8] = []
        out.reserveCapacity(head.count + tail.count + 128)
        // Through pointers: appending an array retains and releases it, and these are shared
        // by every GET of the resource, on both server threads.
        head.withUnsafeBufferPointer { out.append(contentsOf: $0) }
        let start = out.count
        writeSelfURL(&out)
        let needsEscaping = out.withUnsafeBufferPointer { bytes in
            needsJSONEscaping(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[start...]))
        }
        if needsEscaping {
            let url = String(decoding: out[start...], as: UTF8.self)
            out.removeSubrange(start...)
            var escaped: [UInt8] = []
            JSON.string(url).write(into: &escaped)
            out.append(contentsOf: escaped.dropFirst().dropLast())
        }
        tail.withUnsafeBufferPointer { out.append(contentsOf: $0) }
        return out
    }

    /// Control characters cannot appear unescaped in JSON text, so the marker cannot collide
    /// with a value from a request or fixture.
    private static let marker = "\u{1}k2mock-self\u{1}"
}

/// Whether `bytes` hold a control character, a quote or a backslash, which a JSON string escapes.
/// Eight bytes at a time (a `self` URL is scanned on every GET): a word has a byte below
/// 0x20 when `(w - 0x20...) & ~w & 0x80...` is not zero, and a byte equal to `c` when `w ^ c...`
/// has a zero byte.
private func needsJSONEscaping(_ bytes: UnsafeRawBufferPointer) -> Bool {
    let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
    func hasZero(_ word: UInt64) -> Bool { (word &- ones) & ~word & highs != 0 }
    var index = 0
    while index + 8 <= bytes.count {
        let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        if (word &- ones &* 0x20) & ~word & highs != 0 || hasZero(word ^ (ones &* 0x22)) || hasZero(word ^ (ones &* 0x5C)) {
            return true
        }
        index += 8
    }
    while index < bytes.count {
        let byte = bytes[index]
        if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return true }
        index += 1
    }
    return false
}

/// Where `needle` first starts in `bytes`, by hand: the standard library's generic search
/// instantiates type metadata on every call, and bodies are rendered on every stage change.
private func firstIndex(of needle: [UInt8], in bytes: [UInt8]) -> Int? {
    guard let first = needle.first, needle.count <= bytes.count else { return nil }
    return bytes.withUnsafeBufferPointer { haystack in
        needle.withUnsafeBufferPointer { pattern in
            var start = 0
            let last = haystack.count - pattern.count
            while start <= last {
                if haystack[start] == first, memcmp(haystack.baseAddress! + start, pattern.baseAddress!, pattern.count) == 0 {
                    return start
                }
                start += 1
            }
            return nil
        }
    }
}
