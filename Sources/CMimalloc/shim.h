#ifndef LEDGER_CMIMALLOC_SHIM_H
#define LEDGER_CMIMALLOC_SHIM_H
/* mimalloc (Debian libmimalloc-dev), linked into the executables: its malloc and free take the
   place of glibc's for the whole process, the Swift runtime included. */
#include <mimalloc.h>
#endif
