#ifndef LEDGER_CISAL_SHIM_H
#define LEDGER_CISAL_SHIM_H
/* CRC-32C from Intel's ISA-L (Debian libisal-dev): crc32_iscsi picks the widest instructions the
   CPU has (SSE4.2 crc32, PCLMULQDQ folding) at run time. */
#include <isa-l/crc.h>
#endif
