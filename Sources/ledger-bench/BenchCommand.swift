import ArgumentParser

@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger-bench",
        abstract: "Benchmarks of the event log; tools/bench runs them with their reference limits.",
        subcommands: [AppendBench.self, ReadBench.self, AuditBench.self, LatencyBench.self, HashBench.self, OpenBench.self, ProjectionBench.self, PostgresBench.self, CSVParseBench.self, NormalizeBench.self]
    )
}
