import LedgerProjection
import Logging

/// Runs a projector to the head with a progress line on a terminal (quiet when piped).
struct ProjectionRunner {
    let directory: String
    let logger: Logger
    var configuration = ProjectorConfiguration()
    var quiet = false

    /// Projects `target` up to the log's current head, closes it and returns the totals.
    func runOnce(_ target: any ProjectionTarget) async throws(ProjectionError) -> (ProjectionCheckpoint, ProjectionBatchResult) {
        let projector = Projector(logDirectory: directory, target: target, configuration: configuration, logger: logger)
        if !quiet {
            projector.onProgress = { p in
                Terminal.progress("project \(p.projector): offset \(p.checkpoint.nextOffset) / \(p.head) · \(p.totals.applied) applied · \(p.totals.deadLettered) dead letters")
            }
        }
        defer { if !quiet { Terminal.endProgress() } }
        do {
            let checkpoint = try await projector.runOnce()
            await target.close()
            return (checkpoint, projector.totals)
        } catch {
            await target.close()
            throw error
        }
    }
}
