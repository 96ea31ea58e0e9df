import ArgumentParser
import LedgerLog

#if canImport(Glibc)
import Glibc
#endif

/// Exit codes (sysexits-style) and uniform error reporting.
enum ExitStatus {
    static let verifyFailed = ExitCode(1)
    static let dataError = ExitCode(65)
    static let noInput = ExitCode(66)
    static let ioError = ExitCode(74)
    static let tempFailure = ExitCode(75)

    static func code(for e: LogError) -> ExitCode {
        switch e.code {
        case .damaged: verifyFailed
        case .locked: tempFailure
        case .notFound: noInput
        case .invalidArgument: dataError
        case .io, .writerFailed: ioError
        }
    }

    /// Prints `ledger: <error>` to stderr and returns the exit code to throw.
    static func fail(_ e: LogError) -> ExitCode {
        Terminal.error("ledger: \(e)")
        return code(for: e)
    }
}

/// Terminal output helpers: progress only on a TTY, errors to stderr.
enum Terminal {
    static let stderrIsTTY = isatty(2) != 0

    static func error(_ s: String) {
        flush()
        writeAll(2, s + "\n")
    }

    static func writeAll(_ fd: Int32, _ s: String) {
        var s = s
        s.withUTF8 { u in
            var done = 0
            while done < u.count {
                let n = write(fd, u.baseAddress! + done, u.count - done)
                if n <= 0 { return }
                done += n
            }
        }
    }

    /// Flushes buffered standard output.
    static func flush() { fflush(nil) }

    /// Writes a progress line that overwrites itself; silent when stderr is not a terminal.
    static func progress(_ s: String) {
        guard stderrIsTTY else { return }
        writeAll(2, "\r\u{1B}[K" + s)
    }

    static func endProgress() {
        guard stderrIsTTY else { return }
        writeAll(2, "\r\u{1B}[K")
    }

    static func out(_ s: String) {
        print(s)
    }
}
