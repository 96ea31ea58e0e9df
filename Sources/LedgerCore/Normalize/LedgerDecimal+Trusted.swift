import LedgerLog

extension LedgerDecimal {
    /// Wraps text the numerics layer has already built in canonical form, without parsing it again
    /// (LedgerLog offers no unchecked initializer; parsing costs more than the rest of a field).
    /// `LedgerDecimal` is a struct holding only its canonical `text`, so it has `String`'s layout;
    /// `unsafeBitCast` traps if the sizes ever differ, and debug builds check the text is canonical.
    @inline(__always)
    static func trusted(canonical text: String) -> LedgerDecimal {
        assert(LedgerDecimal(canonical: text) != nil, "\(text) is not canonical")
        return unsafeBitCast(text, to: LedgerDecimal.self)
    }
}
