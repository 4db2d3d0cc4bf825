/* Stand-in for Apple's TargetConditionals.h, for `cargo clippy --target aarch64-apple-darwin` on
 * Linux only (see .ci/cross): ring's C reads these macros. Never used to build a program. */
#pragma once
#define TARGET_OS_MAC 1
#define TARGET_OS_OSX 1
#define TARGET_OS_IPHONE 0
#define TARGET_OS_IOS 0
#define TARGET_OS_TV 0
#define TARGET_OS_WATCH 0
#define TARGET_OS_SIMULATOR 0
#define TARGET_OS_EMBEDDED 0
#define TARGET_CPU_ARM64 1
