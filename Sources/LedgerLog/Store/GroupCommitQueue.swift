/// Leader/follower grouping of concurrent appends into shared commits, as a plain state machine:
/// the first caller to find no leader becomes the leader and commits everything queued, group by
/// group, until the queue is empty; the others wait for their group's result.
struct GroupCommitQueue<Request> {
    enum EnqueueAction: Equatable {
        /// Commit queued groups until ``next()`` returns nil.
        case lead
        /// A leader is committing; wait to be signalled.
        case wait
    }

    private var pending: [Request] = []
    private var leading = false

    mutating func enqueue(_ request: Request) -> EnqueueAction {
        pending.append(request)
        if leading { return .wait }
        leading = true
        return .lead
    }

    /// Everything queued, for the leader to commit as one group; nil ends the leadership.
    mutating func next() -> [Request]? {
        if pending.isEmpty {
            leading = false
            return nil
        }
        defer { pending.removeAll(keepingCapacity: true) }
        return pending
    }
}
