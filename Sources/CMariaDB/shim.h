#ifndef LEDGER_CMARIADB_SHIM_H
#define LEDGER_CMARIADB_SHIM_H
#include <mysql.h>
#endif
