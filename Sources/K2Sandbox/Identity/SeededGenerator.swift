/// xoshiro256** seeded through SplitMix64: a small, fast generator whose sequence depends only
/// on its seed, so a scenario's seed fixes every id, reference and token it produces.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose whole stream follows from `seed`.
    public init(seed: UInt64) {
        var mix = seed
        func next() -> UInt64 {
            mix &+= 0x9E37_79B9_7F4A_7C15
            var z = mix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (next(), next(), next(), next())
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

/// Makes the ids, references and tokens of one sandbox. Each kind draws from its own stream,
/// so fetching one more token does not shift every later payment id.
public struct IdentifierSource: Sendable {
    private var ids: SeededGenerator
    private var references: SeededGenerator
    private var tokens: SeededGenerator

    /// Seeded: reproducible. Without a seed the streams start from system randomness.
    public init(seed: UInt64?) {
        var system = SystemRandomNumberGenerator()
        let base = seed ?? system.next()
        ids = SeededGenerator(seed: base ^ 0x1D5)
        references = SeededGenerator(seed: base ^ 0x2EF0)
        tokens = SeededGenerator(seed: seed.map { $0 ^ 0x70C3 } ?? system.next())
    }

    /// A lowercase version-4 UUID.
    public mutating func uuid() -> String {
        // Sixteen bytes, the first word's low byte first, then version 4 and the RFC 4122
        // variant; written in place, since every create draws one (a replay, 100,000).
        let words = (ids.next(), ids.next())
        return String(unsafeUninitializedCapacity: 36) { out in
            var written = 0
            for index in 0..<16 {
                var byte = UInt8(truncatingIfNeeded: (index < 8 ? words.0 : words.1) >> UInt64(8 * (index % 8)))
                if index == 6 { byte = (byte & 0x0F) | 0x40 }
                if index == 8 { byte = (byte & 0x3F) | 0x80 }
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    out[written] = UInt8(ascii: "-")
                    written += 1
                }
                out[written] = Self.hexDigit(byte >> 4)
                out[written + 1] = Self.hexDigit(byte & 0xF)
                written += 2
            }
            return written
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    /// An M-PESA style reference: `prefix` then uppercase letters and digits, `length` in all.
    public mutating func reference(prefix: String = "", length: Int = 10) -> String {
        prefix + Self.draw(from: Self.upperAlphanumerics, count: max(0, length - prefix.count), using: &references)
    }

    /// A 50-character bearer token, the length of K2's.
    public mutating func token() -> String {
        Self.draw(from: Self.alphanumerics, count: 50, using: &tokens)
    }

    private static let alphanumerics = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
    private static let upperAlphanumerics = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)

    private static func draw(from alphabet: [UInt8], count: Int, using generator: inout SeededGenerator) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        for _ in 0..<count {
            out.append(alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
