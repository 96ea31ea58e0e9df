// The same allocator as the `ledger` executable (Sources/ledger/ProcessAllocator.swift): mimalloc,
// so the in-process benchmarks measure what `ledger` runs.
internal import CMimalloc
