import Foundation
import OCI
import Testing

/// The cgroup commands on real containers, for what the conformance section (cgroups.sh)
/// does not cover because it is swiftlet's own: pausing a created container, the resources
/// recorded in state.json across updates, the shape of `events --stats`, warnings.
@Suite(.enabled(if: Harness.ready, Harness.skipComment), .timeLimit(.minutes(1)))
struct CgroupCommandTests {
    /// A created container can be paused (as with runc) and resumes as `created`; start then
    /// runs the process.
    @Test(HostProbe.requires(HostProbe.freezer)) func pauseCreated() async throws {
        try await withSandbox("cgpause") { sb in
            let id = sb.newID()
            var spec = sb.shell(id: id, "touch /shared/started; sleep 30")
            spec.mounts?.append(Sandbox.sharedMount(sb.shared))
            try await sb.mustCreate(id, bundle: try sb.bundle(spec, name: "b"))
            let pause = try await sb.swiftlet(["pause", id])
            #expect(pause.status == 0, "\(pause)")
            #expect(try await sb.status(id) == "paused")
            let start = try await sb.swiftlet(["start", id])
            #expect(start.status != 0, "start of a paused container: \(start)")
            let resume = try await sb.swiftlet(["resume", id])
            #expect(resume.status == 0, "\(resume)")
            #expect(try await sb.status(id) == "created")
            try await sb.mustStart(id)
            #expect(await sb.waitForShared("started"))
        }
    }

    /// state.json keeps the resources in force: config.json's, then each update merged in;
    /// kernel memory only warns and is not kept; devices cannot be changed by an update.
    @Test(HostProbe.requires(HostProbe.controllers("memory", "cpu", "pids"))) func updatesAreRecorded() async throws {
        try await withSandbox("cgupdate") { sb in
            let id = sb.newID()
            var spec = sb.shell(id: id, "sleep 30")
            spec.linux?.resources = LinuxResources(memory: LinuxMemory(limit: 64 << 20), cpu: LinuxCPU(shares: 512),
                                                   pids: LinuxPids(limit: 20))
            try await sb.mustCreate(id, bundle: try sb.bundle(spec, name: "b"))
            try await sb.mustStart(id)
            let first = try await sb.swiftlet(["update", "--memory", "128m", "--kernel-memory", "8m", id])
            #expect(first.status == 0, "\(first)")
            #expect(first.stderr.contains("warning") && first.stderr.contains("kernel"), "\(first)")
            let resourcesFile = sb.dir + "/r.json"
            try Data(#"{"pids": {"limit": 40}, "devices": [{"allow": true, "access": "rwm"}]}"#.utf8)
                .write(to: URL(fileURLWithPath: resourcesFile))
            let second = try await sb.swiftlet(["update", "-r", resourcesFile, id])
            #expect(second.status == 0, "\(second)")
            // Ignored as runc ignores it (engines send their whole resources): no warning.
            #expect(second.stderr.isEmpty, "a devices update is ignored quietly: \(second)")

            let state = try Data(contentsOf: URL(fileURLWithPath: sb.stateRoot + "/\(id)/state.json"))
            let record = try JSONDecoder().decode(RecordedResources.self, from: state)
            let resources = try #require(record.resources)
            #expect(resources.memory?.limit == 128 << 20)
            #expect(resources.memory?.kernel == nil)
            #expect(resources.cpu?.shares == 512)
            #expect(resources.pids?.limit == 40)
            #expect((resources.devices ?? []).contains { $0.allow && $0.type == nil && $0.major == nil } == false,
                    "the allow-all rule of the update was not recorded: \(resources.devices ?? [])")

            // A refused update changes neither the cgroup nor the record.
            let bad = try await sb.swiftlet(["update", "--cpu-period", "10", id])
            #expect(bad.status == 1 && bad.stderrLines.count == 1, "\(bad)")
            let after = try JSONDecoder().decode(RecordedResources.self,
                                                 from: Data(contentsOf: URL(fileURLWithPath: sb.stateRoot + "/\(id)/state.json")))
            #expect(after.resources == record.resources)
        }
    }

    /// `events --stats` has runc's top-level keys and the counters of this container.
    @Test(HostProbe.requires(HostProbe.controllers("memory", "pids"))) func statsShape() async throws {
        try await withSandbox("cgstats") { sb in
            let id = sb.newID()
            var spec = sb.shell(id: id, "sleep 30")
            spec.linux?.resources = LinuxResources(memory: LinuxMemory(limit: 64 << 20), pids: LinuxPids(limit: 9))
            try await sb.mustCreate(id, bundle: try sb.bundle(spec, name: "b"))
            try await sb.mustStart(id)
            let out = try await sb.swiftlet(["events", "--stats", id])
            #expect(out.status == 0, "\(out)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
            #expect(object["type"] as? String == "stats")
            #expect(object["id"] as? String == id)
            let data = try #require(object["data"] as? [String: Any])
            for key in ["cpu", "memory", "pids", "blkio", "hugetlb"] {
                #expect(data[key] != nil, "data.\(key) in \(out.stdout)")
            }
            let pids = try #require(data["pids"] as? [String: Any])
            #expect(pids["limit"] as? Int == 9)
            #expect((pids["current"] as? Int ?? 0) >= 1)
            let memory = try #require(data["memory"] as? [String: Any])
            let usage = try #require(memory["usage"] as? [String: Any])
            #expect(usage["limit"] as? Int == 64 << 20)
        }
    }

    /// ps, pause, update and events of an unknown container are one-line errors.
    @Test func unknownContainer() async throws {
        try await withSandbox("cgunknown") { sb in
            for args in [["ps", "nope"], ["ps", "-f", "json", "nope"], ["pause", "nope"], ["resume", "nope"],
                         ["update", "--pids-limit", "1", "nope"], ["events", "--stats", "nope"], ["events", "nope"]] {
                let out = try await sb.swiftlet(args)
                #expect(out.status == 1 && out.stderrLines.count == 1, "\(args): \(out)")
            }
        }
    }
}

/// The part of state.json these tests read.
private struct RecordedResources: Decodable {
    let resources: LinuxResources?
}
