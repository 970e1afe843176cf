import OCI

extension Launch {
    /// Chooses how the maps of the new user namespace will be written, before anything exists,
    /// and refuses what the choice cannot give: `additionalGids` when setgroups must be denied.
    /// Root writes every map itself, as it always has, without looking further.
    mutating func prepareIDMaps() throws {
        guard namespaces.newUser else { return }
        let uids = spec.linux?.uidMappings ?? []
        let gids = spec.linux?.gidMappings ?? []
        let plan: IDMapPlan
        if Sys.geteuid() == 0 {
            plan = IDMapPlan(uid: .direct, gid: .direct, denySetgroups: false)
        } else {
            plan = IDMapPlan.plan(uidMappings: uids, gidMappings: gids, runtime: Rootless.current())
        }
        if plan.denySetgroups, let groups = process.user.additionalGids, !groups.isEmpty {
            throw RuntimeError("process.user.additionalGids: \(groups.map(String.init).joined(separator: ",")) cannot be set: "
                + "a single gid mapping written without privilege needs setgroups \"deny\" (user_namespaces(7)); "
                + "map groups from /etc/subgid (newgidmap) to set them", errno: Errno.EPERM)
        }
        if plan.uid != .direct || plan.gid != .direct || plan.denySetgroups {
            runtime.debug("rootless: uid map \(plan.uid.debugText), gid map \(plan.gid.debugText)"
                + (plan.denySetgroups ? ", setgroups deny" : ""))
        }
        idMaps = IDMapWriter(uidMappings: uids, gidMappings: gids, plan: plan)
    }
}

extension IDMapPlan.Method {
    var debugText: String {
        switch self {
        case .direct: return "written by swiftlet"
        case .helper(let name): return "written by \(name)"
        }
    }
}
