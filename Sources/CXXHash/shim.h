#ifndef LEDGER_CXXHASH_SHIM_H
#define LEDGER_CXXHASH_SHIM_H
#include <xxhash.h>
#endif
