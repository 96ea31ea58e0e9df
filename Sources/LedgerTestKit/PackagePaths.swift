/// Paths inside the package checkout, found from a test file's `#filePath`.
public enum PackagePaths {
    /// The package root: the directory above `Tests/` (or `Sources/`) in `filePath`.
    public static func root(_ filePath: String = #filePath) -> String {
        var parts = filePath.split(separator: "/", omittingEmptySubsequences: false)
        while let last = parts.last, last != "Tests" && last != "Sources" { parts.removeLast() }
        parts.removeLast()
        return parts.joined(separator: "/")
    }

    public static func ledgerBinary(_ filePath: String = #filePath) -> String {
        root(filePath) + "/.build/debug/ledger"
    }
}
