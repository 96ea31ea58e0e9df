extension Int64 {
    /// Calls `body` with the value in decimal, as `String(self)` spells it, formatted on the stack:
    /// record ids of integer keys and text COPY rows write it without making a String.
    @inline(__always)
    package func withDecimalDigits<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var v = magnitude
            var at = 20
            repeat {
                at -= 1
                digits[at] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            } while v > 0
            if self < 0 {
                at -= 1
                digits[at] = UInt8(ascii: "-")
            }
            return try body(UnsafeBufferPointer(rebasing: digits[at..<20]))
        }
    }
}
