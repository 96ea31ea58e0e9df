#if canImport(Glibc)
import Glibc
#endif

/// Runs a helper program (the demo's workload scripts) and waits for it.
enum Subprocess {
    /// Runs `args` (looked up in PATH) with stdout discarded and stderr inherited; returns the exit status.
    static func run(_ args: [String]) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        var cargs = args.map { strdup($0) } + [nil]
        defer { for p in cargs { free(p) } }
        var pid = pid_t()
        guard posix_spawnp(&pid, args[0], &actions, nil, &cargs, environ) == 0 else { return 127 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}
