// libxcrypt (Debian: libcrypt1 / libcrypt-dev): crypt_r for bcrypt ($2b$, $2a$, $2y$).
// Swift's Glibc module does not include <crypt.h>, hence this shim.
#include <crypt.h>
