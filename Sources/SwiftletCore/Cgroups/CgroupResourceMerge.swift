import OCI

/// How `update` combines the resources in force with the ones it is given (runc CLI `update`):
/// every field the update sets replaces the recorded one, every field it leaves out keeps its
/// value. Lists keyed by something (huge page size, device, RDMA device, unified file) are
/// merged by that key; `devices` are never changed by an update (runc's `update` does not
/// touch the device rules either).
extension LinuxResources {
    public func merging(_ update: LinuxResources) -> LinuxResources {
        var merged = self
        if let memory = update.memory { merged.memory = (self.memory ?? LinuxMemory()).merging(memory) }
        if let cpu = update.cpu { merged.cpu = (self.cpu ?? LinuxCPU()).merging(cpu) }
        if let pids = update.pids?.limit { merged.pids = LinuxPids(limit: pids) }
        if let blockIO = update.blockIO { merged.blockIO = (self.blockIO ?? LinuxBlockIO()).merging(blockIO) }
        if let limits = update.hugepageLimits {
            merged.hugepageLimits = Self.mergeKeyed(self.hugepageLimits, limits, key: \.pageSize)
        }
        if let network = update.network {
            var n = self.network ?? LinuxNetwork()
            if let classID = network.classID { n.classID = classID }
            if let priorities = network.priorities { n.priorities = Self.mergeKeyed(n.priorities, priorities, key: \.name) }
            merged.network = n
        }
        if let rdma = update.rdma { merged.rdma = (self.rdma ?? [:]).merging(rdma) { _, new in new } }
        if let unified = update.unified { merged.unified = (self.unified ?? [:]).merging(unified) { _, new in new } }
        return merged
    }

    /// `old` with each element of `new` replacing the one with the same key, or appended.
    static func mergeKeyed<T, K: Equatable>(_ old: [T]?, _ new: [T], key: (T) -> K) -> [T] {
        var result = old ?? []
        for element in new {
            if let i = result.firstIndex(where: { key($0) == key(element) }) {
                result[i] = element
            } else {
                result.append(element)
            }
        }
        return result
    }

    /// Only what `update` changes: the fields present in `update`, with `devices` dropped. The
    /// values are those of the merged resources, so `cpu.quota` alone still comes with the
    /// recorded `cpu.period`, and memory with its swap (a v1 memsw limit must stay above it).
    public func updateDelta(_ update: LinuxResources) -> LinuxResources {
        var delta = LinuxResources()
        if update.memory != nil { delta.memory = memory }
        if update.cpu != nil { delta.cpu = cpu }
        if update.pids != nil { delta.pids = pids }
        if update.blockIO != nil { delta.blockIO = blockIO }
        if update.hugepageLimits != nil { delta.hugepageLimits = hugepageLimits }
        if update.network != nil { delta.network = network }
        if update.rdma != nil { delta.rdma = rdma }
        if update.unified != nil { delta.unified = unified }
        return delta
    }
}

extension LinuxMemory {
    func merging(_ u: LinuxMemory) -> LinuxMemory {
        var m = self
        if let v = u.limit { m.limit = v }
        if let v = u.reservation { m.reservation = v }
        if let v = u.swap { m.swap = v }
        if let v = u.kernel { m.kernel = v }
        if let v = u.kernelTCP { m.kernelTCP = v }
        if let v = u.swappiness { m.swappiness = v }
        if let v = u.disableOOMKiller { m.disableOOMKiller = v }
        if let v = u.useHierarchy { m.useHierarchy = v }
        if let v = u.checkBeforeUpdate { m.checkBeforeUpdate = v }
        // Unlimited memory without a new swap value unlimits memory+swap too (as runc does): a
        // recorded memory+swap limit would otherwise be below the memory limit.
        if u.limit == -1, u.swap == nil, let swap = m.swap, swap != -1 { m.swap = -1 }
        return m
    }
}

extension LinuxCPU {
    func merging(_ u: LinuxCPU) -> LinuxCPU {
        var c = self
        if let v = u.shares { c.shares = v }
        if let v = u.quota { c.quota = v }
        if let v = u.burst { c.burst = v }
        if let v = u.period { c.period = v }
        if let v = u.realtimeRuntime { c.realtimeRuntime = v }
        if let v = u.realtimePeriod { c.realtimePeriod = v }
        if let v = u.cpus { c.cpus = v }
        if let v = u.mems { c.mems = v }
        if let v = u.idle { c.idle = v }
        return c
    }
}

extension LinuxBlockIO {
    func merging(_ u: LinuxBlockIO) -> LinuxBlockIO {
        var b = self
        if let v = u.weight { b.weight = v }
        if let v = u.leafWeight { b.leafWeight = v }
        let device: (LinuxThrottleDevice) -> LinuxBlockIODevice = { $0.device }
        if let v = u.weightDevice { b.weightDevice = LinuxResources.mergeKeyed(b.weightDevice, v, key: { $0.device }) }
        if let v = u.throttleReadBpsDevice { b.throttleReadBpsDevice = LinuxResources.mergeKeyed(b.throttleReadBpsDevice, v, key: device) }
        if let v = u.throttleWriteBpsDevice { b.throttleWriteBpsDevice = LinuxResources.mergeKeyed(b.throttleWriteBpsDevice, v, key: device) }
        if let v = u.throttleReadIOPSDevice { b.throttleReadIOPSDevice = LinuxResources.mergeKeyed(b.throttleReadIOPSDevice, v, key: device) }
        if let v = u.throttleWriteIOPSDevice { b.throttleWriteIOPSDevice = LinuxResources.mergeKeyed(b.throttleWriteIOPSDevice, v, key: device) }
        return b
    }
}
