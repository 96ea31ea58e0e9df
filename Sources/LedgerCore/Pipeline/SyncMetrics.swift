import Metrics

/// The sync counters as swift-metrics counters and gauges, labelled by source. With no metrics
/// backend bootstrapped they cost nothing.
struct SyncMetrics {
    let processed, inserts, updates, deletes, unchanged, deadLetters, retries: Counter
    let lag: Gauge

    init(source: String) {
        let d = [("source", source)]
        processed = Counter(label: "ledger_sync_processed_total", dimensions: d)
        inserts = Counter(label: "ledger_sync_inserts_total", dimensions: d)
        updates = Counter(label: "ledger_sync_updates_total", dimensions: d)
        deletes = Counter(label: "ledger_sync_deletes_total", dimensions: d)
        unchanged = Counter(label: "ledger_sync_unchanged_total", dimensions: d)
        deadLetters = Counter(label: "ledger_sync_dead_letters_total", dimensions: d)
        retries = Counter(label: "ledger_sync_retries_total", dimensions: d)
        lag = Gauge(label: "ledger_sync_lag_seconds", dimensions: d)
    }

    func record(_ c: SyncCounters, lagSeconds: Double?) {
        processed.increment(by: c.processed)
        inserts.increment(by: c.inserts)
        updates.increment(by: c.updates)
        deletes.increment(by: c.deletes)
        unchanged.increment(by: c.unchanged)
        deadLetters.increment(by: c.deadLetters)
        retries.increment(by: c.retries)
        if let lagSeconds { lag.record(lagSeconds) }
    }
}
