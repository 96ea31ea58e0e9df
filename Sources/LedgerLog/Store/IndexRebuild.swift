import Logging

/// Rebuilds the index files of a sealed segment by replaying its batches through the same index
/// writers the log writer uses, so the files come out as the writer made them.
enum IndexRebuild {
    static func rebuild(directory: String, base: UInt64, configuration: LogConfiguration, logger: Logger) throws(LogError) {
        let scanner = try SegmentScanner(path: directory + "/" + SegmentName.file(base, "seg"))
        let sparse = try SparseIndexWriter(directory: directory, base: base, keep: [], interval: configuration.indexIntervalBytes)
        let keys = try KeyIndexWriter(directory: directory, base: base, nextOffset: base, runSize: configuration.keyRunSize) { (_) throws(LogError) in [] }
        var position = UInt64(SegmentHeader.size)
        var previous = scanner.header.previousHash
        var scratch: [UInt8] = []
        walk: while true {
            switch try scanner.step(at: position) {
            case .batch(let h, let p):
                let events = try BatchEvents.decode(scanner.batchBytes, header: h, previous: previous, file: scanner.file.name,
                                                    position: p, scratch: &scratch)
                try sparse.noteBatch(h, position: p)
                try keys.add(events.map { KeyIndex.Entry(recordID: $0.recordID, offset: $0.offset) })
                previous = h.chainHead
                position = p + UInt64(h.length)
            case .footer:
                break walk
            case .end, .torn:
                throw LogError(.damaged, "a sealed segment ends without its footer", file: scanner.file.name, position: position)
            case .damage(let e):
                throw e
            }
        }
        try keys.seal()
        try sparse.offsetFile.sync()
        try sparse.timeFile.sync()
        logger.info("rebuilt the indexes of a sealed segment", metadata: ["segment": "\(scanner.file.name)"])
    }

    /// Rebuilds a sealed segment's indexes when any of its index files is missing.
    static func rebuildIfMissing(directory: String, base: UInt64, configuration: LogConfiguration, logger: Logger) throws(LogError) {
        let missing = ["oix", "tix", "kix"].contains { !LogDirectory.exists(directory + "/" + SegmentName.file(base, $0)) }
        if missing { try rebuild(directory: directory, base: base, configuration: configuration, logger: logger) }
    }
}
