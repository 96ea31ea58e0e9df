#ifndef LEDGER_CLIBCRYPTO_SHIM_H
#define LEDGER_CLIBCRYPTO_SHIM_H
/* SHA-256 from OpenSSL's libcrypto (Debian libssl-dev). The one-shot context functions run on a
   stack context; OpenSSL 3 marks them deprecated in favour of EVP, whose per-call set-up costs
   more than hashing one event. */
#define OPENSSL_API_COMPAT 10101
#include <openssl/sha.h>
#endif
