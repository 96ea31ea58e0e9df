#ifndef LEDGER_SUPPORT_H
#define LEDGER_SUPPORT_H
/* Small C helpers Swift has no spelling for. */

/* Asks the CPU to start loading the cache line at `p` for a write soon: the delta state's table is
   far larger than the caches, and its ordered stage looks up records a few rows ahead. */
static inline void ledger_prefetch(const void *p) {
    __builtin_prefetch(p, 1, 3);
}
#endif
