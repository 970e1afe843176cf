/// Throwing wrappers over libc and the CSwiftlet shim. This folder is the only Swift code that
/// imports Glibc; everything else calls `Sys`.
public enum Sys {}
