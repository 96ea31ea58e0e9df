/// The mappings of every entity of one source, and the source's time zone.
public struct SourceMapping: Sendable, Hashable {
    /// IANA name (`Asia/Ho_Chi_Minh`) or a fixed offset (`+07:00`); local times without an offset
    /// are read in this zone. `UTC` by default.
    public var timeZone: String
    public var entities: [EntityMapping]
    /// How undecodable bytes from this source are read (``SourceEncoding``); `utf8` by default.
    public var encoding: SourceEncoding

    public init(timeZone: String = "UTC", encoding: SourceEncoding = .utf8, entities: [EntityMapping]) {
        self.timeZone = timeZone
        self.encoding = encoding
        self.entities = entities
    }

    public func entity(_ name: String) -> EntityMapping? { entities.first { $0.entity == name } }
    public func table(_ name: String) -> EntityMapping? { entities.first { $0.table == name } }
}
