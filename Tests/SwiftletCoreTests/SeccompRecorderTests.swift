import FoundationEssentials
import OCI
import Testing
@testable import SwiftletCore

/// The recorder's pure parts: the profile it writes and the architecture of a notification.
@Suite struct SeccompRecorderTests {
    @Test func profileIsDefaultDenyWithSortedNames() throws {
        var recorded = RecordedSyscalls()
        for name in ["write", "execve", "read", "execve"] { recorded.add(name, arch: .x86_64) }
        recorded.add("socketcall", arch: .x86)
        let profile = recorded.profile
        #expect(profile.defaultAction == .errno)
        #expect(profile.defaultErrnoRet == 1)
        #expect(profile.architectures == [.x86, .x86_64])
        #expect(profile.syscalls == [LinuxSyscall(names: ["execve", "read", "socketcall", "write"], action: .allow)])
        let decoded = try JSONDecoder().decode(LinuxSeccomp.self, from: Data(try recorded.profileJSON()))
        #expect(decoded == profile)
        // The written profile passes the same validation create runs.
        var spec = Runtime.hardenedSpec()
        spec.linux?.seccomp = profile
        #expect(spec.validationErrors().isEmpty)
    }

    @Test func emptyRecording() {
        #expect(RecordedSyscalls().profile.syscalls == [])
    }

    @Test(arguments: [
        (UInt32(0xC000_003E), Int32(59), Arch?.some(.x86_64)),
        (0xC000_003E, 0x4000_0000 | 59, .x32),
        (0x4000_0003, 11, .x86),
        (0xC000_00B7, 221, .aarch64),
        (0x4000_0028, 11, .arm),
        (0x1234, 1, nil),
    ])
    func architectureOfANotification(audit: UInt32, nr: Int32, arch: Arch?) {
        #expect(AuditArch.oci(audit, nr: nr) == arch)
    }

    /// The recording filter compiles: notify by default, with a listener.
    @Test func recordingFilterCompiles() throws {
        let program = try SeccompRecorder.filter(socketFD: 1023)
        #expect(program.hasListener)
        #expect(program.instructionCount > 3)
    }
}

/// Where the profile goes: the flag anywhere (relative to the working directory), the
/// annotation only inside the bundle; the directory must exist. Errors name the field.
@Suite struct SeccompRecordPathTests {
    static let key = SeccompRecorder.annotation

    @Test func flagWinsAndIsAbsolute() throws {
        #expect(try Runtime.seccompRecordPath(option: "/tmp/p.json", annotations: [Self.key: "x.json"], bundle: "/tmp") == "/tmp/p.json")
    }

    @Test func annotationIsInsideTheBundle() throws {
        #expect(try Runtime.seccompRecordPath(option: nil, annotations: [Self.key: "p.json"], bundle: "/tmp") == "/tmp/p.json")
        #expect(try Runtime.seccompRecordPath(option: nil, annotations: nil, bundle: "/tmp") == nil)
        #expect(try Runtime.seccompRecordPath(option: "", annotations: [Self.key: ""], bundle: "/tmp") == nil)
    }

    @Test(arguments: ["/etc/p.json", "../p.json", "a/../../p.json"])
    func annotationOutsideTheBundleIsRefused(_ value: String) {
        #expect(throws: RuntimeError.self) { try Runtime.seccompRecordPath(option: nil, annotations: [Self.key: value], bundle: "/tmp") }
    }

    @Test func missingDirectoryIsRefused() {
        #expect(throws: RuntimeError.self) { try Runtime.seccompRecordPath(option: "/nonexistent-dir/p.json", annotations: nil, bundle: "/tmp") }
    }
}
