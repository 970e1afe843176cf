import Foundation
import OCI
import Testing
@testable import SwiftletCore

/// swiftlet-default: the template's rules, the loaded-profile parser, and that nothing is
/// attempted without AppArmor or for other profile names. Loading itself is checked in the VM
/// (conformance/vm/checks-hardening.sh).
@Suite struct AppArmorDefaultTests {
    @Test func templateHasTheDenials() {
        let text = AppArmorDefaultTemplate.profile(named: "swiftlet-default")
        #expect(!text.contains("@NAME@"))
        #expect(text.contains("profile swiftlet-default flags=(attach_disconnected,mediate_deleted) {"))
        for rule in ["deny mount,", "deny umount,", "deny pivot_root,", "deny /proc/sys/** wklx,", "deny /sys/** wklx,",
                     "deny /proc/sysrq-trigger rwklx,", "deny ptrace (trace, read) peer=unconfined,",
                     "ptrace (trace, read, tracedby, readby) peer=swiftlet-default,", "signal (receive) peer=unconfined,"] {
            #expect(text.contains(rule), "\(rule)")
        }
        // Balanced braces, one profile.
        #expect(text.filter { $0 == "{" }.count == 1 && text.filter { $0 == "}" }.count == 1)
    }

    @Test func loadedNames() {
        let text = "docker-default (enforce)\nswiftlet-default (complain)\n/usr/bin/man (enforce)\nweird name (x) (enforce)\n"
        #expect(HostSecurity.profileNames(text) == ["docker-default", "swiftlet-default", "/usr/bin/man", "weird name (x)"])
        #expect(HostSecurity.profileNames("").isEmpty)
    }

    /// Without AppArmor, or for another profile, nothing is read or run (this host has no
    /// AppArmor: a read of securityfs would fail).
    @Test(arguments: [(false, "swiftlet-default"), (true, "other"), (true, "")])
    func nothingToDo(appArmor: Bool, profile: String) throws {
        let process = Process(args: ["sh"], apparmorProfile: profile)
        try AppArmorDefault.ensureLoaded(for: process, host: HostSecurity(appArmor: appArmor, selinux: false), debug: { _ in })
    }

    @Test func hardenedSpecUsesItWhereAppArmorIs() {
        #expect(Runtime.hardenedSpec(appArmor: true).process?.apparmorProfile == "swiftlet-default")
        #expect(Runtime.hardenedSpec(appArmor: false).process?.apparmorProfile == nil)
        #expect(Audit.run(Runtime.hardenedSpec(appArmor: true), host: AuditHost(appArmor: true)).isEmpty)
    }
}

/// The generated profile is valid AppArmor policy: apparmor_parser compiles it without
/// loading it (-Q), where the parser is installed (Debian package apparmor).
@Suite struct AppArmorDefaultParseTests {
    static let parser = ["/sbin/apparmor_parser", "/usr/sbin/apparmor_parser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(.enabled(if: parser != nil, "no apparmor_parser (apt-get install apparmor)"))
    func parserAcceptsTheProfile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-aa-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("swiftlet-default")
        try Data(AppArmorDefaultTemplate.profile(named: "swiftlet-default").utf8).write(to: file)
        let process = Foundation.Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.parser))
        process.arguments = ["--skip-kernel-load", "--skip-cache", "--quiet", file.path]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}
