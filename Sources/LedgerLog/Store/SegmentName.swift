/// File names in a log directory (log-format/SPEC.md §1).
public enum SegmentName {
    public static func file(_ base: UInt64, _ ext: String) -> String {
        let digits = String(base)
        return String(repeating: "0", count: 20 - digits.count) + digits + "." + ext
    }

    /// The base offset of a `NNNNNNNNNNNNNNNNNNNN.seg` name, or nil.
    public static func base(of name: String, ext: String = "seg") -> UInt64? {
        let suffix = "." + ext
        guard name.hasSuffix(suffix) else { return nil }
        let stem = name.dropLast(suffix.count)
        guard stem.count == 20, stem.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return UInt64(stem)
    }

    public static let head = "HEAD"
    public static let lock = "LOCK"
}
