import Metrics

/// A projector's swift-metrics, labelled by projector. With no backend bootstrapped they cost nothing.
struct ProjectorMetrics {
    let events, deadLetters, ignored, retries: Counter
    let lagEvents, lagSeconds, eventsPerSecond: Gauge

    init(projector: String) {
        let d = [("projector", projector)]
        events = Counter(label: "ledger_projector_events_total", dimensions: d)
        deadLetters = Counter(label: "ledger_projector_dead_letters_total", dimensions: d)
        ignored = Counter(label: "ledger_projector_ignored_total", dimensions: d)
        retries = Counter(label: "ledger_projector_retries_total", dimensions: d)
        lagEvents = Gauge(label: "ledger_projector_lag_events", dimensions: d)
        lagSeconds = Gauge(label: "ledger_projector_lag_seconds", dimensions: d)
        eventsPerSecond = Gauge(label: "ledger_projector_events_per_second", dimensions: d)
    }
}
