#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Blocks the calling thread for `seconds`.
func usleepSeconds(_ seconds: Double) {
    var remaining = seconds
    while remaining > 0 {
        let step = min(remaining, 1.0)
        usleep(useconds_t(step * 1_000_000))
        remaining -= step
    }
}
