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
        var selfURL = selfURL
        return body { out in selfURL.withUTF8 { out.append(contentsOf: $0) } }
    }

    /// The body with `self` pointing at the URL `writeSelfURL` appends to the bytes it is given
    /// (escaped here if it needs to be): the URL is written in place, never made a string.
    public func body(writingSelfURL writeSelfURL: (inout [UInt8]) -> Void) -> [UInt8] {
        guard !tail.isEmpty else { return head }
        var out: [UInt8] = []
        out.reserveCapacity(head.count + tail.count + 128)
        out.append(contentsOf: head)
        let start = out.count
        writeSelfURL(&out)
        let needsEscaping = out.withUnsafeBufferPointer { bytes in
            // A plain loop: the slice's generic `contains` costs more than the rest of the copy.
            var index = start
            while index < bytes.count {
                let byte = bytes[index]
                if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return true }
                index += 1
            }
            return false
        }
        if needsEscaping {
            let url = String(decoding: out[start...], as: UTF8.self)
            out.removeSubrange(start...)
            var escaped: [UInt8] = []
            JSON.string(url).write(into: &escaped)
            out.append(contentsOf: escaped.dropFirst().dropLast())
        }
        out.append(contentsOf: tail)
        return out
    }

    /// Control characters cannot appear unescaped in JSON text, so the marker cannot collide
    /// with a value from a request or fixture.
    private static let marker = "\u{1}k2mock-self\u{1}"
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
