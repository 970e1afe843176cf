import CLibseccomp
import CSwiftlet
import OCI

/// What this binary is: the one place swiftlet's version is written, and the build facts
/// `swiftlet --version` and `features` report (runtime-spec features.md: annotations carry
/// "the implementation version"). The layout of `--version` is runc's, which engines parse
/// (`docker info` reads the first line's version and the `commit:` line):
///
///     swiftlet version 0.1.0
///     commit: 1a2b3c4d5e6f
///     spec: 1.3.0
///     swift: 6.3.1
///     libseccomp: 2.5.4
///     build: release
public enum BuildInfo {
    /// swiftlet's version (SemVer). scripts/package-deb.sh and scripts/install.sh read it
    /// from the built binary's `--version`, never from a copy.
    public static let version = "0.1.0"

    /// The runtime-spec version implemented: the newest `ociVersion` accepted, which
    /// `features` reports as `ociVersionMax` and `state`, `spec` and hooks write.
    public static let specVersion = OCIVersion.current

    /// The tree this binary was built from (`git describe`), "unknown" outside
    /// scripts/build-release.sh.
    public static var commit: String { String(cString: swl_build_commit()) }

    /// The Swift compiler that built it, "unknown" outside scripts/build-release.sh.
    public static var compiler: String { String(cString: swl_build_compiler()) }

    /// The SwiftPM configuration: `debug` or `release`.
    public static var configuration: String {
        #if DEBUG
        return "debug"
        #else
        return "release"
        #endif
    }

    /// The libseccomp linked in (statically in a release build), "unknown" if it does not say.
    public static var libseccomp: String {
        guard let v = seccomp_version()?.pointee else { return "unknown" }
        return "\(v.major).\(v.minor).\(v.micro)"
    }

    /// `swiftlet --version`. A build with fault injection (Fault.enabled) adds a last line,
    /// `faults: SWIFTLET_FAULT`, which the fault tests look for; release builds never have it.
    public static var versionText: String {
        let text = versionText(version: version, commit: commit, spec: specVersion, compiler: compiler,
                               libseccomp: libseccomp, configuration: configuration)
        return Fault.enabled ? text + "\nfaults: SWIFTLET_FAULT" : text
    }

    /// runc's `--version` layout: `NAME version V` then one `key: value` line each.
    static func versionText(version: String, commit: String, spec: String, compiler: String,
                            libseccomp: String, configuration: String) -> String {
        ["swiftlet version \(version)", "commit: \(commit)", "spec: \(spec)", "swift: \(compiler)",
         "libseccomp: \(libseccomp)", "build: \(configuration)"].joinedBy("\n")
    }
}
