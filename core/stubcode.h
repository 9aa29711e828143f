/* stubcode.h -- STUB_CODE marks the code the stub and the command's process
 * (before exec) run. With a PID namespace the stub runs on a stack of its
 * own that AddressSanitizer does not know: instrumented, every call of a
 * function that does not return (_exit, the stub's exits) would print a
 * warning into the command's stderr. Such code allocates nothing either:
 * the stub may share sandlock's memory, whose other threads may hold
 * malloc's locks. */
#ifndef SANDLOCK_STUBCODE_H
#define SANDLOCK_STUBCODE_H
#ifdef __SANITIZE_ADDRESS__
#define STUB_CODE __attribute__((no_sanitize_address))
#else
#define STUB_CODE
#endif
#endif
