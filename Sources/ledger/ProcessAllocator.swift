// The process's allocator is mimalloc (Debian libmimalloc-dev): importing `CMimalloc` links it in
// ahead of the C library, so its malloc and free serve the whole process, the Swift runtime and
// every library included. A backfill allocates and frees millions of short-lived rows and events
// on several threads; with mimalloc the 1.27M-row SQLite sync takes about 6% less time and the
// 1M-line CSV import about 3.5% less, for about 20 MB more resident memory (BENCHMARKS.md).
internal import CMimalloc
