#!/usr/bin/env python3
"""The Kubernetes checks: pods and containers made through containerd's CRI plugin (as the
kubelet makes them) with one RuntimeClass handler, checked through the CRI and from the host.

  checks.py --handler NAME --socket SOCK --work DIR [--filter GLOB]... [--list] [-v]

Prints `ok   HANDLER kubernetes/NAME`, `FAIL HANDLER kubernetes/NAME: why` or `skip ...`
per check and `kubernetes-HANDLER: N passed, M failed, K skipped` at the end; exit status 1
iff a check failed. tests/kubernetes/run starts containerd and calls this once per handler.
"""
import argparse
import fnmatch
import glob
import json
import os
import re
import signal
import subprocess
import sys
import time
import traceback

import grpc

import cri_pb2 as api
from kubelet import Kubelet, mount, resources

CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


class Fail(Exception):
    pass


class Skip(Exception):
    pass


class TimedOut(Exception):
    pass


def expect(cond, what):
    if not cond:
        raise Fail(what)


def expect_eq(actual, expected, what):
    if actual != expected:
        raise Fail("%s: expected %r, got %r" % (what, expected, actual))


def wait_for(seconds, fn):
    deadline = time.monotonic() + seconds
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            return value
        time.sleep(0.1)


# -- the host's view ----------------------------------------------------------------------

def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def alive(pid):
    stat = read("/proc/%d/stat" % pid)
    return stat is not None and stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def proc_status(pid, key):
    for line in (read("/proc/%d/status" % pid) or "").splitlines():
        if line.startswith(key + ":"):
            return line.split(":", 1)[1].strip()
    return None


def cgroup_dirs(relative):
    """The directories of cgroup RELATIVE (a cgroupsPath) in every hierarchy that has it."""
    return [d for d in glob.glob("/sys/fs/cgroup/*" + relative) if os.path.isdir(d)]


def cgroup_file(controller, relative, name):
    return read("/sys/fs/cgroup/%s%s/%s" % (controller, relative, name))


def mounts_naming(text):
    return [line.split()[4] for line in open("/proc/self/mountinfo") if text in line]


class Context:
    def __init__(self, args, kube):
        self.kube = kube
        self.handler = args.handler
        self.work = args.work
        self.runtime_root = os.path.join(args.work, "runtime", args.handler, "k8s.io")
        self.subnet_prefix = args.subnet.rsplit(".", 1)[0] + "."
        self.ipam = os.path.join(args.work, "cni", "ipam", args.network)
        self.scratch = None

    def pid(self, ctr):
        return self.kube.status(ctr)[1].get("pid", 0)

    def pod_pid(self, pod):
        return self.kube.pod_status(pod)[1].get("pid", 0)

    def container_cgroup(self, pod_name, ident):
        return "%s/%s" % (self.kube.pod_cgroup(pod_name), ident)

    def dir(self, name):
        path = os.path.join(self.scratch, name)
        os.makedirs(path, exist_ok=True)
        return path


SLEEP = "exec sleep 300"


# -- the checks ---------------------------------------------------------------------------

@check
def sandbox_ready(c):
    """RunPodSandbox: READY with an IP of the pod network, the handler's runtime runs it
    (its state under the handler's Root), pause is PID 1 of the pod's own pid namespace, and
    its cgroup is <cgroup_parent>/<sandbox id>."""
    pod = c.kube.run_pod("ready")
    status, info = c.kube.pod_status(pod)
    expect_eq(api.PodSandboxState.Name(status.state), "SANDBOX_READY", "sandbox state")
    expect_eq(status.runtime_handler, c.handler, "runtime handler")
    expect(status.network.ip.startswith(c.subnet_prefix), "sandbox IP %r not in the pod network" % status.network.ip)
    expect(os.path.isdir(os.path.join(c.runtime_root, pod)), "no state of the sandbox under %s" % c.runtime_root)
    pid = info.get("pid", 0)
    expect(pid > 0 and alive(pid), "sandbox pid %r not running" % pid)
    expect_eq(read("/proc/%d/comm" % pid).strip(), "catatonit", "the sandbox's process (pause)")
    expect_eq(proc_status(pid, "NSpid").split()[-1], "1", "pause's pid in its pid namespace")
    expected = c.container_cgroup("ready", pod)
    lines = [l.split(":", 2) for l in read("/proc/%d/cgroup" % pid).splitlines()]
    memory = [l[2] for l in lines if "memory" in l[1].split(",")]
    expect_eq(memory, [expected], "the sandbox's memory cgroup")


@check
def container_config(c):
    """A container's resources, env, volumes and security context as the kubelet sets them:
    run_as_user/group, capabilities (drop ALL, add NET_BIND_SERVICE), read-only rootfs,
    no_new_privs, seccomp RuntimeDefault, the kubelet's masked and read-only paths (with
    /proc/kcore, which this host has not), from inside and from the host's cgroup files."""
    pod = c.kube.run_pod("config")
    ro, rw = c.dir("ro"), c.dir("rw")
    with open(os.path.join(ro, "file"), "w") as f:
        f.write("from-the-host\n")
    os.chmod(rw, 0o777)
    script = """
        echo "env=$GREETING"
        echo "id=$(id -u):$(id -g)"
        grep -E '^(CapBnd|CapEff|NoNewPrivs|Seccomp):' /proc/self/status | tr -d '\\t'
        touch /rootfs-write 2>/dev/null && echo rootfs=rw || echo rootfs=ro
        echo "ro-file=$(cat /ro/file)"
        touch /ro/new 2>/dev/null && echo ro=rw || echo ro=ro
        echo data > /rw/out && echo rw=ok
        echo "keys=$(cat /proc/keys | wc -c)"
        echo 1 > /proc/sys/kernel/ns_last_pid 2>/dev/null && echo procsys=rw || echo procsys=ro
        echo done
        """ + SLEEP
    ctr = c.kube.run(pod, "config", script, env={"GREETING": "hello"},
                     mounts=[mount(ro, "/ro", readonly=True), mount(rw, "/rw")],
                     resources=resources(cpu_shares=512, cpu_quota=50000, cpu_period=100000,
                                         memory_limit_in_bytes=64 << 20),
                     security={"run_as_user": api.Int64Value(value=1000), "run_as_group": api.Int64Value(value=1000),
                               "capabilities": api.Capability(drop_capabilities=["ALL"],
                                                              add_capabilities=["NET_BIND_SERVICE"]),
                               "readonly_rootfs": True, "no_new_privs": True})
    log = c.kube.log_file(pod, "config")
    expect(wait_for(10, lambda: "done" in (read(log) or "")), "the container never printed its facts: %r" % read(log))
    lines = [l.split(" ", 3)[3] for l in read(log).splitlines() if l.count(" ") >= 3]
    facts = dict(l.split("=", 1) for l in lines if "=" in l)
    got = {k: facts.get(k) for k in ("env", "id", "rootfs", "ro-file", "ro", "rw", "keys", "procsys")}
    expect_eq(got, {"env": "hello", "id": "1000:1000", "rootfs": "ro", "ro-file": "from-the-host", "ro": "ro",
                    "rw": "ok", "keys": "0", "procsys": "ro"}, "facts from inside")
    status = dict(l.split(":", 1) for l in lines if re.match(r"^(CapBnd|CapEff|NoNewPrivs|Seccomp):", l))
    expect_eq(status, {"CapBnd": "0000000000000400", "CapEff": "0000000000000000", "NoNewPrivs": "1",
                       "Seccomp": "2"}, "/proc/self/status")
    expect_eq(read(os.path.join(rw, "out")), "data\n", "file written to the rw volume")
    cg = c.container_cgroup("config", ctr)
    expect_eq((cgroup_file("cpu", cg, "cpu.shares") or "").strip(), "512", "cpu.shares")
    expect_eq((cgroup_file("cpu", cg, "cpu.cfs_quota_us") or "").strip(), "50000", "cpu.cfs_quota_us")
    expect_eq((cgroup_file("memory", cg, "memory.limit_in_bytes") or "").strip(), str(64 << 20), "memory.limit_in_bytes")
    pid = c.pid(ctr)
    expect(pid > 0 and "/" + ctr in read("/proc/%d/cgroup" % pid), "the container's process is not in its cgroup")


@check
def shared_namespaces(c):
    """The pod's containers share the sandbox's network, IPC and UTS namespaces (hostname
    is the pod's), and each has its own pid namespace (shareProcessNamespace off)."""
    pod = c.kube.run_pod("shared")
    a = c.kube.run(pod, "a", SLEEP)
    b = c.kube.run(pod, "b", SLEEP)
    pause = c.pod_pid(pod)
    script = "for n in net ipc uts pid; do readlink /proc/self/ns/$n; done; hostname"
    outs = []
    for ctr in (a, b):
        code, out, err = c.kube.sh(ctr, script)
        expect_eq(code, 0, "exec in a container (%s)" % err)
        outs.append(out.split())
    host = [os.readlink("/proc/%d/ns/%s" % (pause, n)) for n in ("net", "ipc", "uts")]
    expect_eq(outs[0][:3], host, "net, ipc, uts of container a against the sandbox's")
    expect_eq(outs[1][:3], host, "net, ipc, uts of container b against the sandbox's")
    expect(outs[0][3] != outs[1][3], "the containers share a pid namespace: %s" % outs[0][3])
    expect_eq(outs[0][4], "shared", "hostname")


@check
def shared_pid_pause_is_pid1(c):
    """shareProcessNamespace: pause is PID 1 of the pod, the container's program and an exec'd
    process are plain members, and nothing else runs there (no runtime init of its own)."""
    pod = c.kube.run_pod("sharedpid", share_pid=True)
    c.kube.run(pod, "app", "exec sleep 301")
    ctr = c.kube.run(pod, "probe", SLEEP)
    code, out, err = c.kube.exec_sync(ctr, ["ps", "-o", "pid,comm,args"])
    expect_eq(code, 0, "ps in the pod (%s)" % err)
    rows = [l.split(None, 2) for l in out.splitlines()[1:]]
    expect_eq(rows[0][:2], ["1", "catatonit"], "PID 1 of the pod (%s)" % out.strip())
    others = sorted(r[2] for r in rows[1:])
    expect_eq(others, ["ps -o pid,comm,args", "sleep 300", "sleep 301"], "the pod's other processes")


@check
def exit_in_shared_pid_pod(c):
    """In a pod with a shared pid namespace, a container that exits is reported EXITED with
    its code (containerd's shim runs `kill --all ID 9` after the exit and must not fail), and
    StopPodSandbox and RemovePodSandbox then succeed."""
    pod = c.kube.run_pod("exitpid", share_pid=True)
    ctr = c.kube.run(pod, "quits", "sleep 0.2; exit 3")
    status = c.kube.wait_exited(ctr, 15)
    expect(status is not None, "the container never showed as exited")
    expect_eq(status.exit_code, 3, "exit code")
    c.kube.stop_pod(pod)
    c.kube.remove_pod(pod)


@check
def localhost_and_pod_to_pod(c):
    """A server in one container answers another container of its pod on localhost, and a
    container of another pod over the bridge at the pod's IP."""
    pod = c.kube.run_pod("server")
    c.kube.run(pod, "server", "exec nc -ll -p 8080 -e echo from-server")
    side = c.kube.run(pod, "side", SLEEP)
    ip = c.kube.pod_status(pod)[0].network.ip
    fetch = "for i in $(seq 50); do nc -w 2 %s 8080 < /dev/null && exit 0; sleep 0.1; done; exit 1"
    code, out, err = c.kube.sh(side, fetch % "127.0.0.1", timeout=20)
    expect_eq((code, out.strip()), (0, "from-server"), "localhost within the pod (%s)" % err.strip()[-200:])
    other = c.kube.run_pod("client")
    client = c.kube.run(other, "client", SLEEP)
    code, out, err = c.kube.sh(client, fetch % ip, timeout=20)
    expect_eq((code, out.strip()), (0, "from-server"), "pod to pod at %s (%s)" % (ip, err.strip()[-200:]))


@check
def exec_sync(c):
    """ExecSync: stdout and stderr apart, the exit code, the container's environment."""
    pod = c.kube.run_pod("exec")
    ctr = c.kube.run(pod, "exec", SLEEP, env={"WHO": "pod"})
    code, out, err = c.kube.sh(ctr, 'echo "out $WHO"; echo err >&2; exit 5')
    expect_eq((code, out, err), (5, "out pod\n", "err\n"), "ExecSync exit code, stdout, stderr")


@check
def log_file(c):
    """The CRI log file: one `TIME STREAM F LINE` entry per line of stdout and stderr."""
    pod = c.kube.run_pod("logs")
    ctr = c.kube.run(pod, "logs", "echo to-stdout; echo to-stderr >&2")
    expect(c.kube.wait_exited(ctr) is not None, "the container never exited")
    log = c.kube.log_file(pod, "logs")
    text = wait_for(5, lambda: (read(log) or "") if "to-stderr" in (read(log) or "") else "")
    entries = sorted(l.split(" ", 1)[1] for l in text.splitlines())
    expect_eq(entries, ["stderr F to-stderr", "stdout F to-stdout"], "log entries in %s" % log)
    expect(all(re.match(r"^\d{4}-\d\d-\d\dT\S+ ", l) for l in text.splitlines()), "timestamps: %r" % text)


@check
def container_stats(c):
    """ContainerStats: CPU time and memory of a container that did some work."""
    pod = c.kube.run_pod("stats")
    ctr = c.kube.run(pod, "stats", "i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done; x=$(head -c 4000000 /dev/zero | tr '\\0' a); " + SLEEP,
                     resources=resources(memory_limit_in_bytes=128 << 20))
    stats = wait_for(10, lambda: (lambda s: s if s.cpu.usage_core_nano_seconds.value > 0 and s.memory.working_set_bytes.value > 0 else None)(c.kube.stats(ctr)))
    expect(stats, "no CPU or memory usage in ContainerStats: %s" % c.kube.stats(ctr))
    expect_eq(stats.attributes.id, ctr, "stats' container id")


@check
def update_resources(c):
    """UpdateContainerResources reaches the container's cgroup (memory limit, CPU quota)."""
    pod = c.kube.run_pod("update")
    ctr = c.kube.run(pod, "update", SLEEP, resources=resources(memory_limit_in_bytes=64 << 20, cpu_period=100000,
                                                                cpu_quota=50000))
    c.kube.update(ctr, resources(memory_limit_in_bytes=96 << 20, cpu_period=100000, cpu_quota=20000))
    cg = c.container_cgroup("update", ctr)
    expect_eq((cgroup_file("memory", cg, "memory.limit_in_bytes") or "").strip(), str(96 << 20), "memory.limit_in_bytes")
    expect_eq((cgroup_file("cpu", cg, "cpu.cfs_quota_us") or "").strip(), "20000", "cpu.cfs_quota_us")


@check
def oom_killed(c):
    """A container over its memory limit: EXITED, reason OOMKilled, exit code 137."""
    pod = c.kube.run_pod("oom")
    ctr = c.kube.run(pod, "oom", "exec dd if=/dev/zero of=/dev/null bs=96M count=1",
                     resources=resources(memory_limit_in_bytes=32 << 20))
    status = c.kube.wait_exited(ctr, 20)
    expect(status is not None, "the container never exited")
    expect_eq((status.reason, status.exit_code), ("OOMKilled", 137), "reason and exit code")


@check
def stop_term_then_kill(c):
    """StopContainer: SIGTERM first (a program that exits on it stops at once, with its
    code), SIGKILL once the timeout passed (a program that ignores TERM: 137, after it)."""
    pod = c.kube.run_pod("stop")
    polite = c.kube.run(pod, "polite", "trap 'exit 3' TERM; echo ready; while :; do sleep 0.1; done")
    stubborn = c.kube.run(pod, "stubborn", "trap '' TERM; echo ready; while :; do sleep 0.1; done")
    for name in ("polite", "stubborn"):
        log = c.kube.log_file(pod, name)
        expect(wait_for(10, lambda: "ready" in (read(log) or "")), "%s never became ready" % name)
    t0 = time.monotonic()
    c.kube.stop(polite, 10)
    took = time.monotonic() - t0
    status = c.kube.wait_exited(polite, 1)
    expect(status is not None and status.exit_code == 3, "polite: %s" % status)
    expect(took < 5, "StopContainer of a program that exits on TERM took %.1f s (timeout 10 s)" % took)
    t0 = time.monotonic()
    c.kube.stop(stubborn, 2)
    took = time.monotonic() - t0
    status = c.kube.wait_exited(stubborn, 1)
    expect(status is not None and status.exit_code == 137, "stubborn: %s" % status)
    expect(1.8 <= took < 8, "StopContainer of a program that ignores TERM took %.1f s (timeout 2 s)" % took)


@check
def exit_codes(c):
    """Exit codes as ContainerStatus reports them, 0 as reason Completed, others as Error."""
    pod = c.kube.run_pod("codes")
    got = {}
    for name, script in (("zero", "exit 0"), ("fortytwo", "exit 42")):
        ctr = c.kube.run(pod, name, script)
        status = c.kube.wait_exited(ctr)
        expect(status is not None, "%s never exited" % name)
        got[name] = (status.exit_code, status.reason)
    expect_eq(got, {"zero": (0, "Completed"), "fortytwo": (42, "Error")}, "exit codes and reasons")


@check
def pod_teardown_leaves_nothing(c):
    """StopPodSandbox and RemovePodSandbox of a pod with a shared pid namespace, one
    container running and one exited: no process, mount, cgroup, network namespace, IPAM
    entry or runtime state of the pod is left."""
    pod = c.kube.run_pod("teardown", share_pid=True)
    running = c.kube.run(pod, "running", SLEEP)
    exited = c.kube.run(pod, "exited", "exit 0")
    expect(c.kube.wait_exited(exited) is not None, "a container never exited")
    status, info = c.kube.pod_status(pod)
    pids = [info["pid"], c.pid(running)]
    netns = [n.get("path") for n in info["runtimeSpec"]["linux"]["namespaces"] if n["type"] == "network"][0]
    ipam = os.path.join(c.ipam, status.network.ip)
    expect(os.path.exists(ipam), "no IPAM entry %s while the pod runs" % ipam)
    ids = [pod, running, exited]
    cgroups = [c.container_cgroup("teardown", i) for i in ids]
    expect(cgroup_dirs(cgroups[0]), "no cgroup of the sandbox while the pod runs")
    t0 = time.monotonic()
    c.kube.stop_pod(pod)
    c.kube.remove_pod(pod)
    took = time.monotonic() - t0
    expect(took < 20, "StopPodSandbox + RemovePodSandbox took %.1f s" % took)
    left = []
    left += ["process %d" % p for p in pids if alive(p)]
    left += ["mount %s" % m for i in ids for m in mounts_naming(i)]
    left += ["cgroup %s" % d for cg in cgroups for d in cgroup_dirs(cg)]
    left += ["netns %s" % netns] if netns and (os.path.exists(netns) or mounts_naming(netns)) else []
    left += ["IPAM entry %s" % ipam] if os.path.exists(ipam) else []
    left += ["runtime state %s" % os.path.join(c.runtime_root, i) for i in ids if os.path.exists(os.path.join(c.runtime_root, i))]
    expect(not left, "left behind: " + ", ".join(left))


@check
def bidirectional_mount(c):
    """A Bidirectional volume (privileged; containerd asks for rootfsPropagation rshared):
    a mount the container makes below the volume appears on the host, and one the host makes
    there appears in the container."""
    shared = c.dir("shared")
    subprocess.run(["mount", "--bind", shared, shared], check=True)
    c.cleanups.append(lambda: subprocess.run(["umount", "-R", "-l", shared], stderr=subprocess.DEVNULL))
    subprocess.run(["mount", "--make-shared", shared], check=True)
    pod = c.kube.run_pod("bidir", privileged=True)
    ctr = c.kube.run(pod, "bidir", "mkdir -p /mnt/shared/sub && mount -t tmpfs bidir-tmpfs /mnt/shared/sub && echo mounted; " + SLEEP,
                     mounts=[mount(shared, "/mnt/shared", propagation=api.PROPAGATION_BIDIRECTIONAL)],
                     security={"privileged": True})
    spec = c.kube.status(ctr)[1].get("runtimeSpec", {})
    expect_eq(spec.get("linux", {}).get("rootfsPropagation"), "rshared", "rootfsPropagation in the runtime spec")
    sub = os.path.join(shared, "sub")
    expect(wait_for(10, lambda: any(l.split()[4] == sub for l in open("/proc/self/mountinfo"))),
           "the container's mount never reached the host at %s (log: %r)" % (sub, read(c.kube.log_file(pod, "bidir"))))
    fromhost = c.dir("shared/fromhost")
    subprocess.run(["mount", "-t", "tmpfs", "host-tmpfs", fromhost], check=True)
    code, out, err = c.kube.sh(ctr, "grep -c ' /mnt/shared/fromhost ' /proc/self/mountinfo")
    expect_eq(out.strip(), "1", "the host's mount below the volume, seen in the container (%s)" % err.strip())


# -- the runner ---------------------------------------------------------------------------

def remove_pod_cgroups(parent):
    """The pod cgroups (<parent>/pod-*) the kubelet would remove, once empty, in every hierarchy."""
    for d in sorted(glob.glob("/sys/fs/cgroup/*" + parent + "/pod-*"), reverse=True):
        try:
            os.rmdir(d)
        except OSError:
            pass


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--handler", required=True)
    p.add_argument("--socket")
    p.add_argument("--work")
    p.add_argument("--busybox")
    p.add_argument("--cgroup-parent")
    p.add_argument("--subnet")
    p.add_argument("--network")
    p.add_argument("--filter", action="append", default=[])
    p.add_argument("--timeout", type=int, default=90)
    p.add_argument("--list", action="store_true")
    p.add_argument("-v", action="store_true")
    args = p.parse_args()

    def selected(name):
        return not args.filter or any(fnmatch.fnmatch(name, "*%s*" % f) for f in args.filter)

    names = ["kubernetes/" + fn.__name__ for fn in CHECKS]
    if args.list:
        print("\n".join(n for n in names if selected(n)))
        return 0
    passed = failed = skipped = 0

    def alarm(*_):
        raise TimedOut()
    signal.signal(signal.SIGALRM, alarm)
    for fn, name in zip(CHECKS, names):
        if not selected(name):
            continue
        kube = Kubelet(args.socket, args.handler, args.cgroup_parent, os.path.join(args.work, "logs", args.handler),
                       args.busybox)
        c = Context(args, kube)
        c.scratch = os.path.join(args.work, "t", args.handler, fn.__name__)
        os.makedirs(c.scratch, exist_ok=True)
        c.cleanups = []
        outcome, why, log = "ok", "", ""
        signal.alarm(args.timeout)
        try:
            fn(c)
        except Fail as e:
            outcome, why = "FAIL", str(e)
        except Skip as e:
            outcome, why = "skip", str(e)
        except TimedOut:
            outcome, why = "FAIL", "timed out after %d s" % args.timeout
        except grpc.RpcError as e:
            outcome, why = "FAIL", "CRI call failed: %s: %s" % (e.code().name, e.details())
            log = traceback.format_exc()
        except Exception as e:  # a bug of the check itself is a failure too
            outcome, why = "FAIL", "%s: %s" % (type(e).__name__, e)
            log = traceback.format_exc()
        finally:
            signal.alarm(0)
        signal.alarm(120)
        try:
            errors = kube.remove_all()
        except TimedOut:
            errors = ["the clean-up timed out"]
        finally:
            signal.alarm(0)
        for undo in reversed(c.cleanups):
            undo()
        remove_pod_cgroups(args.cgroup_parent)
        kube.close()
        if errors and outcome == "ok":
            outcome, why = "FAIL", "clean-up: " + "; ".join(errors)
        if outcome == "ok":
            passed += 1
            print("ok   %s %s" % (args.handler, name), flush=True)
        elif outcome == "skip":
            skipped += 1
            print("skip %s %s: %s" % (args.handler, name, why), flush=True)
        else:
            failed += 1
            print("FAIL %s %s: %s" % (args.handler, name, why.replace("\n", "\\n")[:400]), flush=True)
            if args.v and log:
                print("".join("    | " + l + "\n" for l in log.splitlines()), end="", flush=True)
    print("kubernetes-%s: %d passed, %d failed, %d skipped" % (args.handler, passed, failed, skipped), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
