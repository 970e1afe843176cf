import OCI
import Testing

@testable import SwiftletCore

/// The order of the rootfs setup (Rootfs/RootfsPlan.swift), without root: what
/// `RootfsSetup.run` performs, step by step, for runc's default config and variations of it.
@Suite struct RootfsPlanTests {
    static func plan(_ edit: (inout Spec) -> Void = { _ in }, noPivot: Bool = false, hostMountNamespace: Bool = false,
                     pauseForRuntimeHooks: Bool = false) throws -> [RootfsStep] {
        var spec = Runtime.defaultSpec()
        edit(&spec)
        let process = try #require(spec.process)
        return try RootfsPlan.steps(spec: spec, process: process, noPivot: noPivot, hostMountNamespace: hostMountNamespace,
                                    pauseForRuntimeHooks: pauseForRuntimeHooks)
    }

    static func index(_ steps: [RootfsStep], _ match: (RootfsStep) -> Bool) -> Int? { steps.firstIndex(where: match) }

    static func isMount(_ step: RootfsStep) -> Bool { if case .mount = step { true } else { false } }
    static func isSwitch(_ step: RootfsStep) -> Bool { if case .switchRoot = step { true } else { false } }
    static func isDevices(_ step: RootfsStep) -> Bool {
        switch step { case .defaultDevices, .device: true; default: false }
    }

    /// Every mount (in config order) and device before pivot_root; sysctls, masked and
    /// read-only paths after it, in that order; propagation of the new root last.
    @Test func mountsBeforePivotProtectionsAfter() throws {
        let steps = try Self.plan { $0.linux?.sysctl = ["net.ipv4.ip_forward": "1"] }
        #expect(steps.first == .openRoot)
        #expect(steps.last == .finishPropagation)
        let pivot = try #require(steps.firstIndex(of: .switchRoot(.pivotRoot)))
        let mounts = steps.indices.filter { Self.isMount(steps[$0]) }
        #expect(mounts.count == (Runtime.defaultSpec().mounts ?? []).count)
        #expect(mounts.allSatisfy { $0 < pivot })
        let order = mounts.compactMap { i -> Int? in if case .mount(let index, _) = steps[i] { index } else { nil } }
        #expect(order == Array(order.indices), "mounts in config order")
        let devices = try #require(Self.index(steps, Self.isDevices))
        #expect(mounts.allSatisfy { $0 < devices } && devices < pivot, "devices in the /dev the mounts made")
        let sysctl = try #require(steps.firstIndex(of: .sysctl))
        let mask = try #require(steps.firstIndex(of: .mask))
        let readonly = try #require(steps.firstIndex(of: .readonlyPaths))
        #expect(pivot < sysctl && sysctl < mask && mask < readonly)
        #expect(steps.firstIndex(of: .cloneNull).map { $0 < pivot } == true, "the null bind is cloned before pivot_root detaches it")
        #expect(steps.filter { Self.isSwitch($0) }.count == 1)
    }

    /// A read-only /dev: mounted writable (its `ro` dropped), the devices and console made in it,
    /// opened before pivot_root, made read-only after the masked and read-only paths, before a
    /// read-only root; then cwd and propagation.
    @Test func readonlyDevAndRootLast() throws {
        let steps = try Self.plan { spec in
            spec.root?.readonly = true
            spec.process?.terminal = true
            for i in (spec.mounts ?? []).indices where spec.mounts?[i].destination == "/dev" {
                spec.mounts?[i].options?.append("ro")
            }
        }
        let devMount = try #require(steps.first { if case .mount(_, let m) = $0 { m.destination == "/dev" } else { false } })
        if case .mount(_, let m) = devMount { #expect(!(m.options ?? []).contains("ro"), "/dev mounted writable first") }
        let console = try #require(steps.firstIndex(of: .console))
        let open = try #require(steps.firstIndex(of: .openDevForReadonly))
        let pivot = try #require(steps.firstIndex(of: .switchRoot(.pivotRoot)))
        let readonly = try #require(steps.firstIndex(of: .readonlyPaths))
        let dev = try #require(steps.firstIndex(of: .devReadonly))
        let root = try #require(steps.firstIndex(of: .rootReadonly))
        let stdio = try #require(steps.firstIndex(of: .stdioNull))
        #expect(console < open && open < pivot && pivot < readonly && readonly < dev && dev < root && root < stdio)
        #expect(Array(steps.suffix(2)) == [.cwd, .finishPropagation])
    }

    /// Hooks: the runtime's (prestart, createRuntime) pause, then createContainer, both after
    /// the mounts and devices and before the root switches; no hooks, no steps.
    @Test func hooksBetweenMountsAndPivot() throws {
        let hook = Hook(path: "/bin/true")
        let steps = try Self.plan({ $0.hooks = Hooks(createContainer: [hook]) }, pauseForRuntimeHooks: true)
        let lastMount = try #require(steps.lastIndex(where: Self.isMount))
        let pause = try #require(steps.firstIndex(of: .pauseForRuntimeHooks))
        let create = try #require(steps.firstIndex(of: .createContainerHooks))
        let pivot = try #require(steps.firstIndex(where: Self.isSwitch))
        #expect(lastMount < pause && pause < create && create < pivot)
        let none = try Self.plan()
        #expect(!none.contains(.pauseForRuntimeHooks) && !none.contains(.createContainerHooks))
    }

    /// --no-pivot and no mount namespace switch differently, in the same place.
    @Test(arguments: [(true, false, RootSwitchMode.moveAndChroot), (false, true, .hostMountNamespace), (false, false, .pivotRoot)])
    func rootSwitchMode(noPivot: Bool, hostMountNamespace: Bool, mode: RootSwitchMode) throws {
        let steps = try Self.plan(noPivot: noPivot, hostMountNamespace: hostMountNamespace)
        let pivoted = try Self.plan()
        #expect(steps.filter { Self.isSwitch($0) } == [.switchRoot(mode)])
        #expect(steps.firstIndex(where: Self.isSwitch) == pivoted.firstIndex(where: Self.isSwitch))
    }

    /// A bind-mounted /dev gets no default devices (they would land in the host's /dev);
    /// configured devices still follow the mounts. No masked paths, no null bind.
    @Test func bindDevAndNoMaskedPaths() throws {
        let steps = try Self.plan { spec in
            spec.mounts = (spec.mounts ?? []).filter { $0.destination != "/dev" }
                + [Mount(destination: "/dev", type: "bind", source: "/dev", options: ["rbind"])]
            spec.linux?.maskedPaths = []
            spec.linux?.devices = [LinuxDevice(path: "/dev/fuse", type: "c", major: 10, minor: 229)]
        }
        #expect(!steps.contains { if case .defaultDevices = $0 { true } else { false } })
        #expect(!steps.contains(.cloneNull))
        let device = try #require(steps.firstIndex { if case .device(0, _) = $0 { true } else { false } })
        #expect(steps.lastIndex(where: Self.isMount).map { $0 < device } == true)
    }
}
