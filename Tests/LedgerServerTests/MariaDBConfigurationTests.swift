import LedgerCore
import LedgerSources
import Testing

extension LedgerServerTests {
    @Suite struct MariaDBConfigurationTests {
        @Test func parsesEveryPartOfADSN() throws {
            let c = try MariaDBConfiguration.parse(dsn: "mysql://pos_reader:s3cret@db.example.com:3307/shop?connect_timeout=5&read_timeout=45&write_timeout=7")
            #expect(c.host == "db.example.com")
            #expect(c.port == 3307)
            #expect(c.user == "pos_reader")
            #expect(c.password == "s3cret")
            #expect(c.database == "shop")
            #expect(c.timeouts == .init(connect: .seconds(5), read: .seconds(45), write: .seconds(7)))
            #expect(c.label == "mariadb db.example.com:3307/shop")
        }

        @Test func defaultsPortAndTimeoutsAndAcceptsTheMariadbScheme() throws {
            let c = try MariaDBConfiguration.parse(dsn: "mariadb://ledger@127.0.0.1/ledger_test")
            #expect(c == MariaDBConfiguration(host: "127.0.0.1", port: 3306, user: "ledger", password: "", database: "ledger_test"))
            #expect(c.timeouts == .init(connect: .seconds(10), read: .seconds(60), write: .seconds(60)))
            #expect(c.description == "mysql://ledger@127.0.0.1:3306/ledger_test")
        }

        @Test func passwordsMayBePercentEncodedOrHoldAtSignsSlashesAndColons() throws {
            let encoded = try MariaDBConfiguration.parse(dsn: "mysql://u%40shop:p%40ss%2Fw%3Ard%25@h:1/d%2D1")
            #expect(encoded.user == "u@shop")
            #expect(encoded.password == "p@ss/w:rd%")
            #expect(encoded.database == "d-1")
            let raw = try MariaDBConfiguration.parse(dsn: "mysql://u:p@ss/w:rd@h:1/d")
            #expect(raw.password == "p@ss/w:rd")
            #expect(raw.host == "h")
            #expect(raw.database == "d")
        }

        @Test func ipv6HostsAreBracketed() throws {
            let c = try MariaDBConfiguration.parse(dsn: "mysql://u:p@[::1]:3310/d")
            #expect(c.host == "::1")
            #expect(c.port == 3310)
            #expect(c.label == "mariadb [::1]:3310/d")
        }

        @Test func descriptionDebugDescriptionAndDumpRedactThePassword() throws {
            let c = try MariaDBConfiguration.parse(dsn: "mysql://ledger:Tr0ub4dor%263@127.0.0.1:53306/ledger_test")
            #expect(c.password == "Tr0ub4dor&3")
            #expect(c.description == "mysql://ledger:***@127.0.0.1:53306/ledger_test")
            #expect(c.debugDescription == "MariaDBConfiguration(mysql://ledger:***@127.0.0.1:53306/ledger_test)")
            #expect(String(describing: c) == c.description)
            var dumped = ""
            dump(c, to: &dumped)
            #expect(dumped.contains("***"))
            #expect(dumped.contains("127.0.0.1"))
            for text in [c.description, c.debugDescription, c.label, dumped, "\(c)"] {
                #expect(!text.contains("Tr0ub4dor"), "\(text)")
            }
            // What the description prints parses back to the same place.
            let back = try MariaDBConfiguration.parse(dsn: c.description.replacingOccurrences("***", with: "x"))
            #expect(back.host == c.host && back.port == c.port && back.user == c.user && back.database == c.database)
        }

        @Test(arguments: [
            ("postgres://u:hunter22@h/d", "scheme 'postgres' is not mysql or mariadb"),
            ("mysql:/u:hunter22@h/d", "expected mysql://user:password@host:port/database"),
            ("mysql://h/d", "no user: expected user[:password]@ before the host"),
            ("mysql://u:hunter22@h", "no database: expected /database after the host"),
            ("mysql://u:hunter22@h:99999/d", "port '99999' is not a number from 1 to 65535"),
            ("mysql://u:hunter22@h:x/d", "port 'x' is not a number from 1 to 65535"),
            ("mysql://u:hunter22@:3306/d", "the host is empty"),
            ("mysql://u:hunter22@h/", "the database is empty or badly percent-encoded"),
            ("mysql://u:hunter22%zz@h/d", "the password is badly percent-encoded"),
            ("mysql://u:hunter22@h/d?timeout=5", "unknown option 'timeout' (connect_timeout, read_timeout, write_timeout)"),
            ("mysql://u:hunter22@h/d?read_timeout=0", "option 'read_timeout' needs a number of seconds from 1 to 86400"),
        ])
        func badDSNsAreBadInputWithoutThePassword(dsn: String, cause: String) {
            #expect {
                _ = try MariaDBConfiguration.parse(dsn: dsn)
            } throws: { error in
                guard let e = error as? SourceError else { return false }
                return e.code == .badInput && e.context == "mariadb DSN" && e.cause == cause
                    && !e.description.contains("hunter22")
            }
        }
    }
}

extension String {
    /// `self` with every `target` replaced (no Foundation in these tests).
    func replacingOccurrences(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
