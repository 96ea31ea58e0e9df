import Testing

/// The tests against the live servers of tools/db-up. Serialized: the restart tests take the MariaDB
/// server down, which would fail any other test running at that moment.
@Suite(.serialized) enum LedgerServerTests {}
