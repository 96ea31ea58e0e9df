extension XXH128 {
    /// XXH3 output is already uniformly distributed, so dictionaries and sets keyed by record ids
    /// take its low word, mixed with their per-instance seed, instead of running SipHash over all
    /// 16 bytes (about a tenth of a sync's CPU went to hashing and probing these keys).
    public func _rawHashValue(seed: Int) -> Int {
        Int(truncatingIfNeeded: (low ^ UInt64(truncatingIfNeeded: seed)) &* 0x9E37_79B9_7F4A_7C15)
    }
}
