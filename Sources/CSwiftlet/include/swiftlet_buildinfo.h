/*
 * What this binary was built from, for `swiftlet --version` and `features` (runc's layout:
 * version, commit, spec, compiler, libseccomp). The values come from
 * Sources/CSwiftlet/generated/buildinfo.h, which scripts/build-release.sh writes before every
 * release build and names with -DSWIFTLET_BUILDINFO; any other build (`swift build`,
 * `swift test`) says "unknown" rather than a value that may be stale.
 */
#ifndef SWIFTLET_BUILDINFO_H
#define SWIFTLET_BUILDINFO_H

/* `git describe --tags --long --always --dirty --abbrev=12` of the tree built (or
 * $SWIFTLET_COMMIT when the build had no git), else "unknown". */
const char *swl_build_commit(void);
/* The Swift compiler's version, "6.3.1", else "unknown". */
const char *swl_build_compiler(void);

#endif
