/*
 * Build facts compiled in as string constants (swiftlet_buildinfo.h). The generated header is
 * read only when the build asks for it (-DSWIFTLET_BUILDINFO, scripts/build-release.sh), so a
 * build that did not write it never reports what another build wrote.
 */
#include "swiftlet_buildinfo.h"

#ifdef SWIFTLET_BUILDINFO
#include "generated/buildinfo.h"
#endif

#ifndef SWIFTLET_BUILD_COMMIT
#define SWIFTLET_BUILD_COMMIT "unknown"
#endif
#ifndef SWIFTLET_BUILD_COMPILER
#define SWIFTLET_BUILD_COMPILER "unknown"
#endif

const char *swl_build_commit(void) { return SWIFTLET_BUILD_COMMIT; }
const char *swl_build_compiler(void) { return SWIFTLET_BUILD_COMPILER; }
