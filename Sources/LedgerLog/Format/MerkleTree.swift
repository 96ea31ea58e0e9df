/// RFC 6962 Merkle trees over event hashes, and the chained segment roots of log-format/SPEC.md §6.
public enum MerkleTree {
    /// SHA-256 of one prefix byte followed by the given digests.
    private static func hash(_ prefix: UInt8, _ a: Digest32, _ b: Digest32? = nil) -> Digest32 {
        var h = SHA256Hasher()
        withUnsafeBytes(of: prefix) { h.update($0) }
        a.withUnsafeBytes { h.update($0) }
        if let b { b.withUnsafeBytes { h.update($0) } }
        return h.finalize()
    }

    public static func leafHash(_ d: Digest32) -> Digest32 { hash(0, d) }

    public static func nodeHash(_ l: Digest32, _ r: Digest32) -> Digest32 { hash(1, l, r) }

    public static func chainedRoot(previous: Digest32, treeRoot: Digest32) -> Digest32 { hash(2, previous, treeRoot) }

    public static var emptyRoot: Digest32 { SHA256Hasher.hash(UnsafeRawBufferPointer(start: nil, count: 0)) }

    /// The tree root of `leaves` (event hashes), computed recursively as RFC 6962 defines it.
    public static func root(_ leaves: ArraySlice<Digest32>) -> Digest32 {
        if leaves.isEmpty { return emptyRoot }
        if leaves.count == 1 { return leafHash(leaves.first!) }
        let k = largestPowerOfTwo(below: leaves.count)
        let mid = leaves.startIndex + k
        return nodeHash(root(leaves[..<mid]), root(leaves[mid...]))
    }

    /// The audit path for leaf `index` (RFC 6962 §2.1.1).
    public static func auditPath(index: Int, _ leaves: ArraySlice<Digest32>) -> [Digest32] {
        if leaves.count <= 1 { return [] }
        let k = largestPowerOfTwo(below: leaves.count)
        let mid = leaves.startIndex + k
        if index < k {
            return auditPath(index: index, leaves[..<mid]) + [root(leaves[mid...])]
        } else {
            return auditPath(index: index - k, leaves[mid...]) + [root(leaves[..<mid])]
        }
    }

    /// Verifies an inclusion proof (RFC 9162 §2.1.3.2) in O(log n).
    public static func verify(leaf: Digest32, index: Int, treeSize: Int, path: [Digest32], root: Digest32) -> Bool {
        guard index < treeSize else { return false }
        var fn = index, sn = treeSize - 1
        var r = leafHash(leaf)
        for p in path {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    static func largestPowerOfTwo(below n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }
}

/// Builds an RFC 6962 root incrementally with O(log n) memory.
public struct MerkleAccumulator: Sendable {
    private var stack: [(size: Int, hash: Digest32)] = []
    public private(set) var count = 0

    public init() {}

    public mutating func append(_ eventHash: Digest32) {
        var node = (size: 1, hash: MerkleTree.leafHash(eventHash))
        while let top = stack.last, top.size == node.size {
            stack.removeLast()
            node = (top.size * 2, MerkleTree.nodeHash(top.hash, node.hash))
        }
        stack.append(node)
        count += 1
    }

    public var root: Digest32 {
        guard var acc = stack.last?.hash else { return MerkleTree.emptyRoot }
        for node in stack.dropLast().reversed() { acc = MerkleTree.nodeHash(node.hash, acc) }
        return acc
    }
}
