/* The helpers are static inline in the header; SwiftPM needs one source file per C target. */
#include "ledger_support.h"
