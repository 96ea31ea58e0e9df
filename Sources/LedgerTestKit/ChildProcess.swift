#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process spawned with `posix_spawn`, its standard input and output connected to pipes and its
/// standard error written to a file. Used by the crash tests to feed rows, read acknowledgements and
/// kill the process with SIGKILL at a random moment.
public final class ChildProcess {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public enum ReadResult: Equatable, Sendable {
        case line(String)
        case timeout
        case endOfFile
    }

    public let pid: Int32
    private var input: Int32
    private let output: Int32
    private var pending: [UInt8] = []
    private var outputClosed = false
    private var status: Int32?

    public init(executable: String, arguments: [String], standardErrorPath: String) throws(Failure) {
        // A write to a pipe whose reader was killed must fail with EPIPE, not kill the test runner.
        signal(SIGPIPE, SIG_IGN)
        var inPipe: [Int32] = [-1, -1]
        var outPipe: [Int32] = [-1, -1]
        guard pipe(&inPipe) == 0, pipe(&outPipe) == 0 else {
            throw Failure(description: "pipe failed: \(String(cString: strerror(errno)))")
        }
        // Not inherited by other processes the test runner spawns; dup2 in the child clears the flag on 0 and 1.
        for fd in inPipe + outPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, standardErrorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var child = pid_t()
        let rc = argv.withUnsafeBufferPointer { args in
            posix_spawn(&child, executable, &actions, nil, UnsafeMutablePointer(mutating: args.baseAddress!), environ)
        }
        close(inPipe[0])
        close(outPipe[1])
        guard rc == 0 else {
            close(inPipe[1])
            close(outPipe[0])
            throw Failure(description: "posix_spawn \(executable) failed: \(String(cString: strerror(rc)))")
        }
        pid = child
        input = inPipe[1]
        output = outPipe[0]
    }

    deinit {
        if status == nil {
            kill(pid, SIGKILL)
            _ = waitForExit()
        }
        if input >= 0 { close(input) }
        close(output)
    }

    /// Writes `text` to the child's standard input; false when the child no longer reads it.
    @discardableResult
    public func write(_ text: String) -> Bool {
        guard input >= 0 else { return false }
        let bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { posixWrite(input, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            done += n
        }
        return true
    }

    public func closeInput() {
        if input >= 0 { close(input) }
        input = -1
    }

    /// The next whole line of standard output (without the newline), waiting at most `timeoutMilliseconds`.
    public func readLine(timeoutMilliseconds: Int32) -> ReadResult {
        var waited: Int32 = 0
        while true {
            if let nl = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[..<nl], as: UTF8.self)
                pending.removeSubrange(...nl)
                return .line(line)
            }
            if outputClosed { return .endOfFile }
            var p = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
            let slice: Int32 = 50
            let r = poll(&p, 1, slice)
            if r < 0 && errno != EINTR { outputClosed = true; continue }
            if r <= 0 {
                waited += slice
                if waited >= timeoutMilliseconds { return .timeout }
                continue
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = chunk.withUnsafeMutableBytes { posixRead(output, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                outputClosed = true   // a partial last line (no newline) is dropped: it was never acknowledged
                continue
            }
            pending.append(contentsOf: chunk[0..<n])
        }
    }

    public func sendSignal(_ signal: Int32) { kill(pid, signal) }

    /// Waits for the child to end; returns the raw wait status.
    @discardableResult
    public func waitForExit() -> Int32 {
        if let status { return status }
        var s: Int32 = 0
        while waitpid(pid, &s, 0) < 0 && errno == EINTR {}
        status = s
        return s
    }

    /// The wait status if the child has ended, without blocking.
    public func exitStatusIfEnded() -> Int32? {
        if let status { return status }
        var s: Int32 = 0
        if waitpid(pid, &s, WNOHANG) == pid {
            status = s
            return s
        }
        return nil
    }

    /// "exit N" or "signal N" for a raw wait status.
    public static func describe(_ status: Int32) -> String {
        let sig = status & 0x7F
        return sig == 0 ? "exit \((status >> 8) & 0xFF)" : "signal \(sig)"
    }
}

private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, buffer, count) }
