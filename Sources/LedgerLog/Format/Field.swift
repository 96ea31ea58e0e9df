#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One named payload value.
public struct Field: Sendable, Hashable {
    public var name: String
    public var value: FieldValue

    public init(_ name: String, _ value: FieldValue) {
        self.name = name
        self.value = value
    }
}

extension String {
    /// Byte order of the UTF-8 encoding: the order of field names in the log.
    public func utf8Precedes(_ other: String) -> Bool { utf8Compare(other) < 0 }

    /// Feeds the UTF-8 encoding to `hasher`: a hash that agrees with ``utf8Compare(_:)`` being 0,
    /// where `String`'s own agrees with its `==` (canonical equivalence).
    public func utf8Hash(into hasher: inout Hasher) {
        withUTF8Bytes { b in
            hasher.combine(b.count)
            hasher.combine(bytes: UnsafeRawBufferPointer(b))
        }
    }

    /// Compares the UTF-8 encodings byte by byte: negative, zero or positive.
    public func utf8Compare(_ other: String) -> Int {
        withUTF8Bytes { x in
            other.withUTF8Bytes { y in
                let n = min(x.count, y.count)
                let c = n == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, n)
                return c != 0 ? Int(c) : x.count - y.count
            }
        }
    }

    /// Byte equality of the UTF-8 encodings: field names are bytes, not canonically equivalent text.
    func utf8Equals(_ other: String) -> Bool {
        withUTF8Bytes { x in
            other.withUTF8Bytes { y in
                x.count == y.count && (x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0)
            }
        }
    }
}
