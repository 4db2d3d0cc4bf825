/* A stand-in for Windows' bcryptprimitives.dll, which Wine 8.0 (Debian 12) lacks: Rust's standard
 * library imports its ProcessPrng for random numbers, so without it every Rust program stops at
 * start. It forwards to advapi32's RtlGenRandom (SystemFunction036), which Wine has. Built and
 * copied into the test prefix by .ci/wine-test; it belongs to the test setup, never to screenpop. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
  while (length > 0) {
    ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
    if (!SystemFunction036(data, chunk)) return FALSE;
    data += chunk;
    length -= chunk;
  }
  return TRUE;
}
