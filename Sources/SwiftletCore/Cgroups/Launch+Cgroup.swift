import OCI

extension Launch {
    /// Makes the container's cgroup and applies `linux.resources`; rootless, a cgroup the user
    /// may not create is handled as `RootlessCgroupPolicy` says. Returns nil when the container
    /// goes without one (then nothing of it is left: `record.cgroup` and `cgroup` are cleared).
    mutating func createCgroup() throws -> CgroupManager? {
        guard let manager = cgroup else { throw RuntimeError("cgroup: not prepared") }
        do {
            try manager.create()
        } catch {
            guard rootless, let decision = RootlessCgroupPolicy.decide(
                after: error, requested: RootlessCgroupPolicy.requestedFields(spec.linux?.resources), uid: Sys.geteuid())
            else { throw RuntimeError("cgroup", cause: error) }
            switch decision {
            case .refuse(let message):
                throw RuntimeError(message, errno: error.errno ?? Errno.EPERM.rawValue)
            case .runWithoutCgroup(let message):
                runtime.debug(message)
                // A hierarchy made before the one that failed goes again (none is in use yet).
                do { try manager.destroy(retries: 0) } catch { runtime.debug("rootless: cgroup: \(error)") }
                cgroup = nil
                record.cgroup = nil
                try runtime.store.write(record)
                return nil
            }
        }
        // A cgroup made below a frozen parent is frozen from birth (checked again here).
        try Launch.refuseFrozen(manager)
        do {
            for warning in try manager.apply(resources) { runtime.warn(warning) }
        } catch {
            throw RuntimeError("cgroup", cause: error)
        }
        return manager
    }

    /// Rule 4 of `RootlessCgroupPolicy`: no device cgroup rules rootless, neither the config's
    /// nor the defaults create adds.
    mutating func dropDeviceRules() {
        if !(spec.linux?.resources?.devices ?? []).isEmpty {
            runtime.debug("rootless: linux.resources.devices left out: an unprivileged user cannot set a device cgroup, "
                + "and reaches only the host devices bound in, with their host permissions")
        }
        resources.devices = nil
    }
}
