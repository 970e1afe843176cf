import OCI
import Testing
@testable import SwiftletCore

/// `InitMode.choose`: whether swiftlet-init stays as the container's first process. The default
/// (a new pid namespace, or the host's) keeps it; a joined pid namespace and a CRI sandbox run
/// the process directly; `run.swiftlet.init` overrides both ways.
@Suite struct InitModeTests {
    static let newPid = [LinuxNamespace(type: .pid), LinuxNamespace(type: .mount)]
    static let joinedPid = [LinuxNamespace(type: .pid, path: "/proc/42/ns/pid"), LinuxNamespace(type: .mount)]
    static let hostPid = [LinuxNamespace(type: .mount)]
    static let emptyPath = [LinuxNamespace(type: .pid, path: ""), LinuxNamespace(type: .mount)]
    static let sandbox = ["io.kubernetes.cri.container-type": "sandbox"]
    static let container = ["io.kubernetes.cri.container-type": "container"]

    @Test("the rule", arguments: [
        (nil, newPid, InitMode.supervise),
        (nil, hostPid, .supervise),
        (nil, emptyPath, .supervise),
        (nil, joinedPid, .direct),
        ([:], joinedPid, .direct),
        (sandbox, newPid, .direct),
        (sandbox, hostPid, .direct),
        (container, newPid, .supervise),
        (container, joinedPid, .direct),
        (["io.kubernetes.cri.container-type": "other"], newPid, .supervise),
        (["run.swiftlet.init": "false"], newPid, .direct),
        (["run.swiftlet.init": "false"], hostPid, .direct),
        (["run.swiftlet.init": "true"], joinedPid, .supervise),
        (sandbox.merging(["run.swiftlet.init": "true"]) { a, _ in a }, newPid, .supervise),
        (container.merging(["run.swiftlet.init": "false"]) { a, _ in a }, newPid, .direct),
    ] as [([String: String]?, [LinuxNamespace], InitMode)])
    func rule(_ annotations: [String: String]?, _ namespaces: [LinuxNamespace], _ expected: InitMode) throws {
        #expect(try InitMode.choose(annotations: annotations, namespaces: namespaces) == expected)
    }

    @Test("no namespaces at all keeps the init")
    func noNamespaces() throws {
        #expect(try InitMode.choose(annotations: nil, namespaces: nil) == .supervise)
    }

    @Test("another value of run.swiftlet.init is an error naming the annotation and the value",
          arguments: ["", "yes", "False", "0", "TRUE"])
    func badValue(_ value: String) throws {
        do {
            _ = try InitMode.choose(annotations: ["run.swiftlet.init": value], namespaces: Self.newPid)
            Issue.record("accepted \"\(value)\"")
        } catch {
            #expect(error.path == #"annotations["run.swiftlet.init"]"#)
            #expect(error.message == #"must be "true" or "false", got "\#(value)""#)
        }
    }
}
