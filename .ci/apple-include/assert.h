/* Stand-in for the C library's assert.h, for the macOS check in .ci/cross only. */
#pragma once
#define assert(e) ((void)0)
