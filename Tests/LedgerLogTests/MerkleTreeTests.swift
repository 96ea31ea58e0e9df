import LedgerLog
import Testing

/// RFC 6962 Merkle roots and audit paths (SPEC §6) for every tree size from 1 to 70.
@Suite struct MerkleTreeTests {
    static func leaves(_ n: Int) -> [Digest32] {
        (0..<n).map { i in
            var v = UInt64(i).littleEndian
            return withUnsafeBytes(of: &v) { Digest32.sha256($0) }
        }
    }

    /// MTH from RFC 6962 §2.1, written from the definition with plain SHA-256.
    static func referenceRoot(_ d: ArraySlice<Digest32>) -> Digest32 {
        if d.isEmpty { return [UInt8]().withUnsafeBytes { Digest32.sha256($0) } }
        if d.count == 1 { return ([0] + d.first!.bytes).withUnsafeBytes { Digest32.sha256($0) } }
        var k = 1
        while k * 2 < d.count { k *= 2 }
        let left = referenceRoot(d.prefix(k)), right = referenceRoot(d.dropFirst(k))
        return ([1] + left.bytes + right.bytes).withUnsafeBytes { Digest32.sha256($0) }
    }

    @Test func smallTreesHashAsRFC6962Defines() {
        let d = Self.leaves(2)
        let leaf0 = ([0] + d[0].bytes).withUnsafeBytes { Digest32.sha256($0) }
        let leaf1 = ([0] + d[1].bytes).withUnsafeBytes { Digest32.sha256($0) }
        #expect(MerkleTree.leafHash(d[0]) == leaf0)
        #expect(MerkleTree.root(d[0..<1]) == leaf0)
        #expect(MerkleTree.root(d[...]) == ([1] + leaf0.bytes + leaf1.bytes).withUnsafeBytes { Digest32.sha256($0) })
        #expect(MerkleTree.root([]) == [UInt8]().withUnsafeBytes { Digest32.sha256($0) })
        #expect(MerkleTree.emptyRoot.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(MerkleAccumulator().root == MerkleTree.emptyRoot)
    }

    @Test func chainedRootPrefixesTwoThenThePreviousRoot() {
        let previous = Self.leaves(1)[0], tree = Self.leaves(2)[1]
        #expect(MerkleTree.chainedRoot(previous: previous, treeRoot: tree)
                == ([2] + previous.bytes + tree.bytes).withUnsafeBytes { Digest32.sha256($0) })
    }

    @Test(arguments: 1...70)
    func rootsAndAuditPathsForEverySize(size: Int) {
        let d = Self.leaves(size)
        let root = MerkleTree.root(d[...])
        #expect(root == Self.referenceRoot(d[...]))
        var acc = MerkleAccumulator()
        for h in d { acc.append(h) }
        #expect(acc.count == size)
        #expect(acc.root == root)
        var expectedPathLength = 0
        while (1 << expectedPathLength) < size { expectedPathLength += 1 }
        for i in 0..<size {
            let path = MerkleTree.auditPath(index: i, d[...])
            #expect(path.count <= expectedPathLength)
            #expect(MerkleTree.verify(leaf: d[i], index: i, treeSize: size, path: path, root: root), "size \(size) index \(i)")
            // the wrong index, leaf, root or path fails
            if size > 1 {
                let other = (i + 1) % size
                #expect(!MerkleTree.verify(leaf: d[i], index: other, treeSize: size, path: path, root: root), "size \(size) index \(i) as \(other)")
                #expect(!MerkleTree.verify(leaf: d[other], index: i, treeSize: size, path: path, root: root))
                for j in path.indices {
                    var tampered = path
                    var bytes = tampered[j].bytes
                    bytes[j % 32] ^= 0x01
                    tampered[j] = bytes.withUnsafeBytes { Digest32($0) }
                    #expect(!MerkleTree.verify(leaf: d[i], index: i, treeSize: size, path: tampered, root: root), "size \(size) index \(i) path[\(j)]")
                }
                #expect(!MerkleTree.verify(leaf: d[i], index: i, treeSize: size, path: Array(path.dropLast()), root: root))
            }
            #expect(!MerkleTree.verify(leaf: d[i], index: i, treeSize: size, path: path + [d[0]], root: root))
            #expect(!MerkleTree.verify(leaf: d[i], index: i, treeSize: size, path: path, root: d[0]))
            #expect(!MerkleTree.verify(leaf: d[i], index: size, treeSize: size, path: path, root: root))
        }
    }
}
