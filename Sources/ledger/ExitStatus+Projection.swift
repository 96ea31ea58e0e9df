import ArgumentParser
import LedgerProjection

extension ExitStatus {
    static func code(for e: ProjectionError) -> ExitCode {
        switch e.code {
        case .locked: tempFailure
        case .checkpointMismatch, .schema: dataError
        case .target: e.isTransient ? tempFailure : ioError
        case .log: noInput
        case .configuration: ExitCode(64)
        }
    }

    /// Prints `ledger: <error>` to stderr and returns the exit code to throw.
    static func fail(_ e: ProjectionError) -> ExitCode {
        Terminal.error("ledger: \(e)")
        return code(for: e)
    }
}
