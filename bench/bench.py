#!/usr/bin/env python3
"""swiftlet vs crun vs runc, side by side (issues 6 and 19). Run as root:

    bench/bench.py                    # re-executes itself in a private mount namespace
    BENCH_N=10 bench/bench.py         # quicker
    bench/bench.py --density [N]      # N `sleep` containers per runtime at once (default 1000)
    bench/bench.py --vm               # the same bench (ratios) inside conformance/vm's guest

It re-executes itself as
    unshare -m sh -c 'mount --make-rprivate / && umount /sys/fs/cgroup/unified && exec bench.py'
because crun refuses the host's hybrid cgroup layout; the host's mounts are never touched.

Measures, interleaving the runtimes (the order rotates every iteration: A B C, B C A, C A B):
  0. the kernel's floor: bench/floor.c (built here with gcc -static into the cache directory)
     clones the bundle's namespaces, chroots into the same rootfs and executes /bin/true,
     waited for; timed like a runtime, interleaved with 1a/1b, with and without netns.
     bench/floor-bundle.c (on v1 hierarchies) also does the kernel work the bundle asks of any
     runtime: its cgroups, mounts, devices, masked and read-only paths, pivot_root and
     capabilities, with no state, init or validation (a reference: the runtime's own work is
     its time over this one)
  1. sequential `run` of a /bin/true bundle, with and without a network namespace
  1c. CPU per container: BENCH_CPU_N sequential `run`s per runtime (and the floor helper) in
     blocks of BENCH_CPU_BLOCK; user/system time and minor faults of everything waited for
     (getrusage RUSAGE_CHILDREN deltas) and /proc/stat's busy time (kernel threads included)
  2. `create` + `start` + wait for exit + `delete` of a /bin/true container
  2c. churn: BENCH_CHURN_WORKERS (8) workers each looping create/start/wait/delete for
     BENCH_CHURN_SECONDS (60) per runtime, in BENCH_CHURN_SLICES (3) slices whose runtime
     order rotates; containers/s, p50/p99 latency, failures, and a leak check afterwards
  3. BENCH_PAR containers `run` in parallel, BENCH_PAR_ROUNDS times: wall time until all
     exited (every round shown), failures, and the CPU per container of each round
  4. `exec` of /bin/true into a running container (a runtime whose exec fails is skipped)
  5. peak RSS of the runtime process (/usr/bin/time -f %M: ru_maxrss of the runtime process,
     the largest of it and its waited-for children), and smaps_rollup of the container's pid 1
     as the host sees it (swiftlet-init for swiftlet; the user process for crun/runc)
  6. binary sizes
The bundle is bench/base-config.json (the shape of `runc spec`, ociVersion 1.0.2 so that
Debian's crun 1.8 accepts it) with the busybox rootfs and a cgroupsPath per container.
and prints a markdown report with medians, p90, ratios and the issues' target checks.
See docs/performance.md for exactly what each number times.

--density [N] (default 1000; runtimes swiftlet,crun unless BENCH_RUNTIMES says otherwise):
per runtime, /proc/meminfo and /proc/slabinfo before, N `sleep` containers created and started
by BENCH_CHURN_WORKERS workers, meminfo and slabinfo again (per container: MemAvailable, Slab,
and the slab caches that grew most), `list`, `state` and `ps` timed at N, every container
deleted, and a leak check.

--vm runs this script inside the project's VM (conformance/vm/run --shell, under
`flock /tmp/swiftlet-vm.lock`): cgroup v2 only, Debian's 6.1 kernel, emulated (TCG); the
runtimes and the floor helper are copied onto a tmpfs in the guest, and the shared libraries
of crun, runc, unshare and chroot are copied there and bound over their paths (an exec
reading through 9p costs far more than the work measured). BENCH_* variables are
passed on (BENCH_N defaults to 5 there, churn to 10 s).

Environment (all optional):
  SWIFTLET    swiftlet binary (default: .build/release/swiftlet; swiftlet-init must sit next to it)
  CRUN, RUNC  default: from PATH
  BENCH_RUNTIMES   comma list, subset of swiftlet,crun,runc (default all three)
  BENCH_SECTIONS   comma list of floor,run,cpu,lifecycle,churn,parallel,exec,rss,sizes (default all)
  BENCH_N          iterations per sequential measurement (default 30)
  BENCH_WARMUP     untimed iterations per runtime before each measurement (default 2)
  BENCH_CPU_N      `run`s per runtime in the CPU measurement (default 100)
  BENCH_CPU_BLOCK  ... measured in blocks of this many (default 20)
  BENCH_PAR        containers in the parallel test (default 50)
  BENCH_PAR_ROUNDS rounds of the parallel test per runtime (default 3)
  BENCH_CHURN_SECONDS, BENCH_CHURN_WORKERS, BENCH_CHURN_SLICES   churn (60, 8, 3)
  BENCH_RSS_N      runs per runtime under /usr/bin/time for peak RSS (default 5)
  BENCH_SETTLE     seconds to sleep after each parallel batch (netns teardown is async; default 1)
  BENCH_STALL      seconds after which a parallel batch still running has its processes' kernel
                   stacks logged (default 1)
  BENCH_TMP        parent of the temporary directory (default: $TMPDIR or /tmp)
  BENCH_CACHE      where the floor helper is built (default ~/.cache/swiftlet-bench)
  BENCH_FLOOR      a prebuilt floor helper (the VM mode passes the host's)
  BENCH_FLOOR_BUNDLE  a prebuilt floor-bundle helper
  BENCH_OUT        also write the markdown report to this file
  BENCH_JSON       also write every raw sample to this JSON file
  BUSYBOX          static busybox for the rootfs (default /bin/busybox)
"""

import ctypes
import hashlib
import resource
import json
import os
import platform
import select
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
INNER_MARK = "SWIFTLET_BENCH_INNER"
CGROUP_ROOT = "/sys/fs/cgroup"
PR_SET_CHILD_SUBREAPER = 36


def env_int(name, default):
    value = os.environ.get(name, "")
    return int(value) if value else default


N = env_int("BENCH_N", 30)
WARMUP = env_int("BENCH_WARMUP", 2)
PAR = env_int("BENCH_PAR", 50)
PAR_ROUNDS = env_int("BENCH_PAR_ROUNDS", 3)
RSS_N = env_int("BENCH_RSS_N", 5)
TIME = os.environ.get("BENCH_TIME") or "/usr/bin/time"
SETTLE = float(os.environ.get("BENCH_SETTLE", "1") or "1")
STALL = float(os.environ.get("BENCH_STALL", "1") or "1")
CHURN_SECONDS = float(os.environ.get("BENCH_CHURN_SECONDS", "60") or "60")
CHURN_WORKERS = env_int("BENCH_CHURN_WORKERS", 8)
CHURN_SLICES = env_int("BENCH_CHURN_SLICES", 3)
CPU_N = env_int("BENCH_CPU_N", 100)
CPU_BLOCK = env_int("BENCH_CPU_BLOCK", 20)
ALL_SECTIONS = ("floor", "run", "cpu", "lifecycle", "churn", "parallel", "exec", "rss", "sizes")
SECTIONS = [x for x in os.environ.get("BENCH_SECTIONS", ",".join(ALL_SECTIONS)).split(",") if x]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Private mount namespace


def reexec_in_private_namespace():
    """crun refuses hybrid cgroups: give all three runtimes a mount namespace in which the
    cgroup2 hierarchy is unmounted. Only the new namespace's mounts change."""
    if os.geteuid() != 0:
        sys.exit("bench.py: must run as root")
    os.environ[INNER_MARK] = "1"
    script = ("mount --make-rprivate / && "
              "if grep -q ' /sys/fs/cgroup/unified cgroup2 ' /proc/self/mounts; "
              "then umount /sys/fs/cgroup/unified; fi && "
              'exec "$0" "$@"')
    argv = ["unshare", "-m", "sh", "-c", script, sys.executable, os.path.abspath(__file__)] + sys.argv[1:]
    os.execvp("unshare", argv)


def cgroup_mounts():
    """Mount points of every cgroup (v1) and cgroup2 filesystem this namespace sees."""
    result = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            fstype = right.split()[0]
            if fstype in ("cgroup", "cgroup2"):
                result.append((left.split()[4], fstype))
    return result


def build_floor(name="floor"):
    """A floor helper (bench/floor.c, or bench/floor-bundle.c with name "floor-bundle"), built
    with gcc -static into the cache directory and named by the source's hash, so an edit
    rebuilds it; BENCH_FLOOR (BENCH_FLOOR_BUNDLE) names a prebuilt one. (path, None) or
    (None, why not)."""
    override = "BENCH_" + name.upper().replace("-", "_")
    if os.environ.get(override):
        path = os.environ[override]
        return (path, None) if os.access(path, os.X_OK) else (None, "%s=%s is not executable" % (override, path))
    src = os.path.join(HERE, name + ".c")
    with open(src, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:16]
    cache = os.environ.get("BENCH_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "swiftlet-bench")
    path = os.path.join(cache, name + "-" + digest)
    if os.access(path, os.X_OK):
        return path, None
    gcc = shutil.which("gcc")
    if not gcc:
        return None, "gcc is missing"
    os.makedirs(cache, exist_ok=True)
    tmp = path + ".tmp%d" % os.getpid()
    r = subprocess.run([gcc, "-O2", "-static", "-o", tmp, src], capture_output=True, text=True)
    if r.returncode != 0:
        return None, "gcc -static failed: %s" % r.stderr.strip().splitlines()[-1:]
    os.rename(tmp, path)
    return path, None


# ---------------------------------------------------------------------------------------------
# Statistics


def median(xs):
    return statistics.median(xs) if xs else None


def p90(xs):
    if not xs:
        return None
    s = sorted(xs)
    k = max(0, -(-9 * len(s) // 10) - 1)  # nearest rank: ceil(0.9 n) - 1
    return s[k]


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


# ---------------------------------------------------------------------------------------------
# Processes


class Runner:
    """Spawns runtime commands with posix_spawn and collects exit status, wall time and peak
    RSS from wait4. The benchmark is a child subreaper (as containerd-shim is): container
    processes orphaned by `create` become its children and are reaped here."""

    def __init__(self, logdir):
        self.logdir = logdir
        self.logs = {}

    def logfd(self, name):
        if name not in self.logs:
            self.logs[name] = os.open(os.path.join(self.logdir, name + ".log"),
                                      os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        return self.logs[name]

    def spawn(self, argv, logname):
        fd = self.logfd(logname)
        os.write(fd, (" ".join(argv) + "\n").encode())
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
            (os.POSIX_SPAWN_DUP2, fd, 1),
            (os.POSIX_SPAWN_DUP2, fd, 2),
        ]
        return os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)

    @staticmethod
    def wait(pid):
        _, status, usage = os.wait4(pid, 0)
        return os.waitstatus_to_exitcode(status), usage.ru_maxrss

    def run(self, argv, logname):
        """(exit code, seconds, peak RSS KiB)."""
        t0 = time.perf_counter()
        pid = self.spawn(argv, logname)
        rc, rss = self.wait(pid)
        return rc, time.perf_counter() - t0, rss

    def quiet(self, argv, logname, timeout=20):
        """An untimed helper command (cleanup, setup)."""
        fd = self.logfd(logname)
        os.write(fd, (" ".join(argv) + "\n").encode())
        try:
            return subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=fd, stderr=fd, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            return -1

    def tail(self, logname, lines=6):
        path = os.path.join(self.logdir, logname + ".log")
        try:
            with open(path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""


def reap_orphans():
    """Reaps every exited child. Called only when no runtime command is outstanding."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def wait_exit(pid, timeout=10.0):
    """Waits for a process that is not necessarily our child (pidfd), then reaps it if it is."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        ready = select.select([fd], [], [], timeout)[0]
        if not ready:
            return False
        try:
            os.waitid(os.P_PIDFD, fd, os.WEXITED)
        except ChildProcessError:
            pass
        return True
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------------------------
# Bundles


class Bench:
    def __init__(self, runtimes, tmp):
        self.runtimes = runtimes  # name -> binary
        self.names = list(runtimes)
        self.tmp = tmp
        self.prefix = "swiftlet-bench-%d" % os.getpid()
        self.runner = Runner(tmp)
        self.rootfs = os.path.join(tmp, "rootfs")
        with open(os.path.join(HERE, "base-config.json")) as f:
            self.base = json.load(f)
        self.results = {}
        self.notes = []
        self.failures = {}
        self.floor = None
        self.floor_bundle = None  # bench/floor-bundle.c: the bundle's kernel work, no runtime
        self.floor_runs = 0  # numbers floor-bundle's cgroups
        self.floor_cmd = None  # the first floor: util-linux unshare + coreutils chroot
        self.floor_cmd_chroot = None

    def state_root(self, rt):
        return os.path.join(self.tmp, "state-" + rt)

    def cmd(self, rt, *args):
        return [self.runtimes[rt], "--root", self.state_root(rt)] + list(args)

    def bundle(self, rt, name, args, netns=True, cid=None):
        """Writes <tmp>/bundles/<rt>-<name>/config.json: base-config.json (runc spec's default
        shape) with the busybox rootfs, `args`, and a cgroupsPath of its own under the prefix."""
        path = os.path.join(self.tmp, "bundles", "%s-%s" % (rt, name))
        os.makedirs(path, exist_ok=True)
        config = json.loads(json.dumps(self.base))
        config["root"] = {"path": self.rootfs, "readonly": True}
        config["process"]["args"] = args
        config["hostname"] = "bench"
        config["linux"]["cgroupsPath"] = "/%s/%s" % (self.prefix, cid or name)
        if not netns:
            config["linux"]["namespaces"] = [ns for ns in config["linux"]["namespaces"] if ns["type"] != "network"]
        with open(os.path.join(path, "config.json"), "w") as f:
            json.dump(config, f, indent=1)
        return path

    def order(self, i):
        k = i % len(self.names)
        return self.names[k:] + self.names[:k]

    def fail(self, key, rt, what):
        self.failures.setdefault(key, {}).setdefault(rt, 0)
        self.failures[key][rt] += 1
        log("  %s %s failed: %s\n%s" % (rt, key, what, self.runner.tail(rt)))

    def record(self, key, rt, field, value):
        self.results.setdefault(key, {}).setdefault(rt, {}).setdefault(field, []).append(value)

    def force_delete(self, rt, cid):
        self.runner.quiet(self.cmd(rt, "delete", "--force", cid), rt)

    # -- 1. sequential run ---------------------------------------------------------------------

    def bench_run(self, key, netns):
        """`run` of /bin/true per runtime; the floor helper (when built) takes its turn in the
        same rotation, so it sees the same load, and is recorded under floor_<key>."""
        log("== %s: %d x run /bin/true (%s)%s" % (key, N, "with netns" if netns else "no netns",
                                                  ", and the floor" if self.floor else ""))
        floors = {}  # name -> its command line (floor-bundle's names a new cgroup each time)
        if self.floor:
            floors["floor"] = lambda: [self.floor, "netns" if netns else "nonetns", self.rootfs, "/bin/true"]
        if self.floor_bundle:
            floors["floor-bundle"] = lambda: self.floor_bundle_argv(netns)
        if self.floor_cmd:
            floors["floor-cmd"] = lambda: self.floor_cmd + (["--net"] if netns else []) + [
                "--fork", self.floor_cmd_chroot, self.rootfs, "/bin/true"]
        names = self.names + list(floors)
        for i in range(-WARMUP, N):
            k = i % len(names)
            for rt in names[k:] + names[:k]:
                if rt in floors:
                    rc, secs, _ = self.runner.run(floors[rt](), rt)
                    reap_orphans()
                    if rc != 0:
                        self.fail("floor_" + key, rt, "exit %d" % rc)
                    elif i >= 0:
                        self.record("floor_" + key, rt, "time", secs)
                    continue
                cid = "%s-%s-%d" % (rt, key, i + WARMUP)
                bundle = self.bundle(rt, key, ["/bin/true"], netns=netns, cid=cid)
                rc, secs, rss = self.runner.run(self.cmd(rt, "run", "--bundle", bundle, cid), rt)
                reap_orphans()
                if rc != 0:
                    self.fail(key, rt, "exit %d" % rc)
                    self.force_delete(rt, cid)
                    continue
                if i >= 0:
                    self.record(key, rt, "time", secs)

    def floor_bundle_argv(self, netns=True):
        """floor-bundle's command line, with a cgroup of its own below the prefix (it removes
        the cgroup when the program exits, as a runtime's delete would)."""
        self.floor_runs += 1
        return [self.floor_bundle, "netns" if netns else "nonetns", self.rootfs,
                "/%s/floor-bundle-%d" % (self.prefix, self.floor_runs), "/bin/true"]

    # -- 1c. CPU per container ------------------------------------------------------------------

    @staticmethod
    def busy_ticks():
        """All CPUs' non-idle time from /proc/stat (user nice system irq softirq steal), in
        seconds: it includes kernel threads (kworkers: netns cleanup, RCU callbacks, mount
        teardown) that no rusage reports, and whatever else the machine runs."""
        with open("/proc/stat") as f:
            fields = f.readline().split()[1:]
        v = [int(x) for x in fields]
        user, nice, system, idle, iowait, irq, softirq = v[:7]
        steal = v[7] if len(v) > 7 else 0
        return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")

    def bench_cpu(self):
        """BENCH_CPU_N sequential `run`s of /bin/true per runtime (and the floor helper), in
        blocks of BENCH_CPU_BLOCK whose runtime order rotates. Per block: getrusage
        (RUSAGE_CHILDREN) before and after (every runtime waits for its container, and this
        process is a subreaper that reaps the rest, so the init and the process are counted:
        user, system, minor faults), and /proc/stat's busy time. Recorded per container."""
        key = "cpu"
        log("== %s: %d x run /bin/true per runtime in blocks of %d: rusage of the children and /proc/stat busy"
            % (key, CPU_N, CPU_BLOCK))
        names = self.names + (["floor"] if self.floor else []) + (["floor-bundle"] if self.floor_bundle else [])
        blocks = max(1, CPU_N // max(1, CPU_BLOCK))
        for i in range(-1, blocks):
            k = i % len(names)
            for rt in names[k:] + names[:k]:
                reap_orphans()
                argvs = []
                for j in range(CPU_BLOCK):
                    if rt == "floor":
                        argvs.append(([self.floor, "netns", self.rootfs, "/bin/true"], None))
                        continue
                    if rt == "floor-bundle":
                        argvs.append((self.floor_bundle_argv(), None))
                        continue
                    cid = "%s-cpu-%d-%d" % (rt, i + 1, j)
                    bundle = self.bundle(rt, "cpu-%d" % j, ["/bin/true"], cid=cid)
                    argvs.append((self.cmd(rt, "run", "--bundle", bundle, cid), cid))
                r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
                b0 = self.busy_ticks()
                t0 = time.perf_counter()
                failed = 0
                for argv, cid in argvs:
                    rc, _ = Runner.wait(self.runner.spawn(argv, rt))
                    if rc != 0:
                        failed += 1
                        if cid:
                            self.force_delete(rt, cid)
                reap_orphans()
                t1 = time.perf_counter()
                b1 = self.busy_ticks()
                r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                if failed:
                    self.fail(key, rt, "%d of %d runs failed" % (failed, CPU_BLOCK))
                    continue
                if i < 0:
                    continue  # warm-up block
                n = float(CPU_BLOCK)
                self.record(key, rt, "user", (r1.ru_utime - r0.ru_utime) / n)
                self.record(key, rt, "sys", (r1.ru_stime - r0.ru_stime) / n)
                self.record(key, rt, "cpu", (r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) / n)
                self.record(key, rt, "minflt", (r1.ru_minflt - r0.ru_minflt) / n)
                self.record(key, rt, "busy", (b1 - b0) / n)
                self.record(key, rt, "wall", (t1 - t0) / n)

    # -- 2. create + start + delete ------------------------------------------------------------

    def bench_lifecycle(self):
        key = "lifecycle"
        log("== %s: %d x create + start + wait + delete" % (key, N))
        for i in range(-WARMUP, N):
            for rt in self.order(i):
                cid = "%s-%s-%d" % (rt, key, i + WARMUP)
                bundle = self.bundle(rt, key, ["/bin/true"], cid=cid)
                pidfile = os.path.join(self.tmp, "%s.pid" % cid)
                r = self.runner
                t0 = time.perf_counter()
                rc, _, _ = r.run(self.cmd(rt, "create", "--bundle", bundle, "--pid-file", pidfile, cid), rt)
                t1 = time.perf_counter()
                if rc != 0:
                    self.fail(key, rt, "create exit %d" % rc)
                    self.force_delete(rt, cid)
                    reap_orphans()
                    continue
                with open(pidfile) as f:
                    pid = int(f.read().strip())
                pidfd = os.pidfd_open(pid)
                rc, _, _ = r.run(self.cmd(rt, "start", cid), rt)
                t2 = time.perf_counter()
                if rc != 0:
                    os.close(pidfd)
                    self.fail(key, rt, "start exit %d" % rc)
                    self.force_delete(rt, cid)
                    reap_orphans()
                    continue
                exited = bool(select.select([pidfd], [], [], 10.0)[0])
                if exited:
                    try:
                        os.waitid(os.P_PIDFD, pidfd, os.WEXITED)
                    except ChildProcessError:
                        pass
                os.close(pidfd)
                t3 = time.perf_counter()
                if not exited:
                    self.fail(key, rt, "container process did not exit")
                    self.force_delete(rt, cid)
                    reap_orphans()
                    continue
                rc, _, _ = r.run(self.cmd(rt, "delete", cid), rt)
                t4 = time.perf_counter()
                reap_orphans()
                if rc != 0:
                    self.fail(key, rt, "delete exit %d" % rc)
                    self.force_delete(rt, cid)
                    continue
                if i >= 0:
                    self.record(key, rt, "time", t4 - t0)
                    self.record(key, rt, "create", t1 - t0)
                    self.record(key, rt, "start", t2 - t1)
                    self.record(key, rt, "exit", t3 - t2)
                    self.record(key, rt, "delete", t4 - t3)

    # -- 2c. churn --------------------------------------------------------------------------------

    def churn_one(self, rt, cid, bundle):
        """create, start, wait for the process, delete: (ok, seconds, what failed)."""
        r = self.runner
        pidfile = os.path.join(self.tmp, "%s.pid" % cid)
        t0 = time.perf_counter()
        rc, _ = Runner.wait(r.spawn(self.cmd(rt, "create", "--bundle", bundle, "--pid-file", pidfile, cid), rt))
        if rc != 0:
            return False, 0, "create exit %d" % rc
        try:
            with open(pidfile) as f:
                pidfd = os.pidfd_open(int(f.read().strip()))
        except (OSError, ValueError) as e:
            return False, 0, "pid file: %s" % e
        try:
            rc, _ = Runner.wait(r.spawn(self.cmd(rt, "start", cid), rt))
            if rc != 0:
                return False, 0, "start exit %d" % rc
            if not select.select([pidfd], [], [], 10.0)[0]:
                return False, 0, "the container's process did not exit"
            try:
                os.waitid(os.P_PIDFD, pidfd, os.WEXITED)
            except ChildProcessError:
                pass
        finally:
            os.close(pidfd)
        rc, _ = Runner.wait(r.spawn(self.cmd(rt, "delete", cid), rt))
        if rc != 0:
            return False, 0, "delete exit %d" % rc
        return True, time.perf_counter() - t0, None

    def bench_churn(self):
        """BENCH_CHURN_WORKERS threads per runtime, each looping create/start/wait/delete of
        its own containers; BENCH_CHURN_SECONDS per runtime in BENCH_CHURN_SLICES slices whose
        order rotates. No waitpid(-1) while the workers run (it would steal their children's
        statuses): each worker reaps what it started, reap_orphans() runs between slices."""
        key = "churn"
        slice_secs = CHURN_SECONDS / max(1, CHURN_SLICES)
        log("== %s: %d workers x create/start/wait/delete, %.0f s per runtime in %d slices" % (
            key, CHURN_WORKERS, CHURN_SECONDS, CHURN_SLICES))
        counter = [0]
        lock = threading.Lock()
        for sl in range(CHURN_SLICES):
            for rt in self.order(sl):
                latencies, errors = [], []
                deadline = time.perf_counter() + slice_secs

                def worker(w):
                    bundle_name = "churn-%d" % w
                    while time.perf_counter() < deadline:
                        with lock:
                            counter[0] += 1
                            cid = "%s-churn-%d" % (rt, counter[0])
                            bundle = self.bundle(rt, bundle_name, ["/bin/true"], cid=cid)
                        ok, secs, why = self.churn_one(rt, cid, bundle)
                        with lock:
                            if ok:
                                latencies.append(secs)
                            else:
                                errors.append((cid, why))

                t0 = time.perf_counter()
                threads = [threading.Thread(target=worker, args=(w,)) for w in range(CHURN_WORKERS)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                wall = time.perf_counter() - t0
                reap_orphans()
                for cid, why in errors:
                    self.fail(key, rt, "%s: %s" % (cid, why))
                    self.force_delete(rt, cid)
                reap_orphans()
                self.record(key, rt, "wall", wall)
                self.record(key, rt, "done", len(latencies))
                for x in latencies:
                    self.record(key, rt, "time", x)
                log("  %s slice %d: %d containers in %.1f s, %d failed" % (rt, sl, len(latencies), wall, len(errors)))
                time.sleep(SETTLE)
        for rt in self.names:
            self.results.setdefault(key, {}).setdefault(rt, {})["leaks"] = self.leak_check(rt, "-churn-")

    def leak_check(self, rt, marker):
        """What the runtime left of containers whose id contains `marker`: state directories,
        cgroup directories below the benchmark's prefix, live processes in them, mounts
        (mountinfo lines mentioning the state root or the ids)."""
        left = []
        root = self.state_root(rt)
        if os.path.isdir(root):
            left += ["state %s" % d for d in os.listdir(root) if marker in d]
        for mountpoint, _ in cgroup_mounts():
            top = os.path.join(mountpoint, self.prefix)
            if not os.path.isdir(top):
                continue
            for d in os.listdir(top):
                if d.startswith(rt + marker):
                    path = os.path.join(top, d)
                    procs = ""
                    try:
                        with open(os.path.join(path, "cgroup.procs")) as f:
                            procs = f.read().split()
                    except OSError:
                        pass
                    left.append("cgroup %s%s" % (path, " with %d processes" % len(procs) if procs else ""))
        with open("/proc/self/mountinfo") as f:
            left += ["mount %s" % line.split()[4] for line in f if root in line or (rt + marker) in line]
        return left

    # -- 3. parallel -----------------------------------------------------------------------------

    def bench_parallel(self):
        key = "parallel"
        log("== %s: %d rounds x %d containers run in parallel" % (key, PAR_ROUNDS, PAR))
        for rnd in range(PAR_ROUNDS):
            for rt in self.order(rnd):
                jobs = []
                for j in range(PAR):
                    cid = "%s-par-%d-%d" % (rt, rnd, j)
                    jobs.append((cid, self.bundle(rt, "par-%d" % j, ["/bin/true"], cid=cid)))
                r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
                b0 = self.busy_ticks()
                t0 = time.perf_counter()
                pids = [(cid, self.runner.spawn(self.cmd(rt, "run", "--bundle", b, cid), rt)) for cid, b in jobs]
                watchdog = threading.Timer(STALL, self.report_stall, (rt, rnd, pids))
                watchdog.start()
                codes = [(cid, Runner.wait(pid)[0]) for cid, pid in pids]
                wall = time.perf_counter() - t0
                watchdog.cancel()
                reap_orphans()
                b1 = self.busy_ticks()
                r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                self.record(key, rt, "cpu", (r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) / PAR)
                self.record(key, rt, "busy", (b1 - b0) / PAR)
                failed = [cid for cid, rc in codes if rc != 0]
                for cid in failed:
                    self.force_delete(rt, cid)
                if failed:
                    self.fail(key, rt, "%d of %d runs failed" % (len(failed), PAR))
                    self.failures[key][rt] += len(failed) - 1
                self.record(key, rt, "time", wall)
                self.record(key, rt, "failed", len(failed))
                time.sleep(SETTLE)

    def report_stall(self, rt, rnd, pids):
        """A batch still running after BENCH_STALL seconds (a normal one takes a fraction of
        one): names the runs still going and, for each process under them, its state, wait
        channel and kernel stack, so that a rare stall says where it waited (in the log, and a
        note in the report). Runs on a timer thread while the batch is waited for."""
        children = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open("/proc/%s/stat" % entry) as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                    children.setdefault(int(fields[1]), []).append(int(entry))
                except (OSError, IndexError):
                    pass
        lines, running = [], []
        for cid, pid in pids:
            todo = [pid]
            while todo:
                p = todo.pop()
                todo.extend(children.get(p, []))
                try:
                    with open("/proc/%d/stat" % p) as f:
                        stat = f.read()
                    with open("/proc/%d/wchan" % p) as f:
                        wchan = f.read()
                    with open("/proc/%d/stack" % p) as f:
                        stack = [line.split()[-1] for line in f.read().splitlines()[:8]]
                except OSError:
                    continue
                comm, state = stat[stat.index("(") + 1:stat.rindex(")")], stat.rsplit(")", 1)[1].split()[0]
                if p == pid:
                    if state == "Z":
                        break
                    running.append(cid)
                lines.append("    %s pid %d (%s) %s wchan=%s: %s" % (cid, p, comm, state, wchan or "-", " < ".join(stack)))
        if running:
            self.notes.append("parallel: %s round %d: %d of %d runs still running after %.1f s (their processes' kernel stacks are in the log)" % (
                rt, rnd + 1, len(running), len(pids), STALL))
            log("  " + self.notes[-1] + "\n" + "\n".join(lines[:60]))

    # -- 5a. peak RSS -------------------------------------------------------------------------

    def rss_of(self, rt, argv):
        """Peak RSS (KiB) of a runtime command, as `/usr/bin/time -f %M` reports it. Not taken
        from our own wait4: a child of this Python process inherits its ~17 MiB RSS until it
        executes, and exec keeps that high-water mark in ru_maxrss."""
        out = os.path.join(self.tmp, "rss.out")
        rc, _, _ = self.runner.run([TIME, "-f", "%M", "-o", out] + argv, rt)
        try:
            with open(out) as f:
                last = f.read().split()
            return rc, int(last[-1]) if last and last[-1].isdigit() else None
        except OSError:
            return rc, None

    def bench_rss(self):
        log("== rss: %d x peak RSS of `run` and of `create` under %s" % (RSS_N, TIME))
        for i in range(RSS_N):
            for rt in self.order(i):
                cid = "%s-rss-run-%d" % (rt, i)
                bundle = self.bundle(rt, "rss", ["/bin/true"], cid=cid)
                rc, rss = self.rss_of(rt, self.cmd(rt, "run", "--bundle", bundle, cid))
                reap_orphans()
                if rc != 0 or not rss:
                    self.fail("rss", rt, "run exit %d" % rc)
                    self.force_delete(rt, cid)
                else:
                    self.record("run_netns", rt, "rss", rss)
                cid = "%s-rss-create-%d" % (rt, i)
                bundle = self.bundle(rt, "rss", ["/bin/true"], cid=cid)
                rc, rss = self.rss_of(rt, self.cmd(rt, "create", "--bundle", bundle, cid))
                if rc != 0 or not rss:
                    self.fail("rss", rt, "create exit %d" % rc)
                else:
                    self.record("lifecycle", rt, "rss", rss)
                self.force_delete(rt, cid)
                reap_orphans()

    # -- 4./5. exec, init memory -----------------------------------------------------------------

    def bench_exec_and_memory(self):
        key = "exec"
        log("== %s: %d x exec /bin/true into a running container; pid 1 memory" % (key, N))
        live = {}
        try:
            for rt in self.names:
                cid = "%s-exec" % rt
                bundle = self.bundle(rt, "exec", ["sleep", "100000"], cid=cid)
                if self.runner.quiet(self.cmd(rt, "create", "--bundle", bundle, cid), rt) != 0 or \
                        self.runner.quiet(self.cmd(rt, "start", cid), rt) != 0:
                    self.fail(key, rt, "could not start the long-running container")
                    self.force_delete(rt, cid)
                    continue
                live[rt] = cid
                self.read_pid1_memory(rt, cid)
            exec_ok = []
            for rt, cid in live.items():
                rc, _, _ = self.runner.run(self.cmd(rt, "exec", cid, "/bin/true"), rt)
                if rc == 0:
                    exec_ok.append(rt)
                else:
                    self.notes.append("exec: %s skipped: `%s exec` failed (exit %d): %s" % (
                        rt, rt, rc, self.runner.tail(rt, 1).strip()))
                    log("  " + self.notes[-1])
            for i in range(-WARMUP, N):
                for rt in self.order(i):
                    if rt not in exec_ok:
                        continue
                    rc, secs, _ = self.runner.run(self.cmd(rt, "exec", live[rt], "/bin/true"), rt)
                    if rc != 0:
                        self.fail(key, rt, "exit %d" % rc)
                        continue
                    if i >= 0:
                        self.record(key, rt, "time", secs)
            for i in range(RSS_N):
                for rt in self.order(i):
                    if rt in exec_ok:
                        rc, rss = self.rss_of(rt, self.cmd(rt, "exec", live[rt], "/bin/true"))
                        if rc == 0 and rss:
                            self.record(key, rt, "rss", rss)
            for rt, cid in live.items():
                self.read_pid1_memory(rt, cid, field="pid1_after_exec")
        finally:
            for rt, cid in live.items():
                self.force_delete(rt, cid)
            reap_orphans()

    def read_pid1_memory(self, rt, cid, field="pid1"):
        out = subprocess.run(self.cmd(rt, "state", cid), capture_output=True, text=True)
        try:
            pid = json.loads(out.stdout)["pid"]
        except (ValueError, KeyError):
            self.notes.append("memory: %s state gave no pid: %s" % (rt, out.stderr.strip()))
            return
        mem = {}
        try:
            with open("/proc/%d/smaps_rollup" % pid) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                        mem[parts[0][:-1]] = int(parts[1])
            with open("/proc/%d/comm" % pid) as f:
                mem["comm"] = f.read().strip()
        except OSError as e:
            self.notes.append("memory: %s /proc/%d: %s" % (rt, pid, e))
            return
        self.results.setdefault("memory", {}).setdefault(rt, {})[field] = mem

    # -- 6. sizes --------------------------------------------------------------------------------

    def sizes(self):
        sizes = {}
        for rt, binary in self.runtimes.items():
            real = os.path.realpath(binary)
            entry = {"binary": real, "bytes": os.path.getsize(real)}
            if rt == "swiftlet":
                init = os.path.join(os.path.dirname(real), "swiftlet-init")
                entry["init_bytes"] = os.path.getsize(init) if os.path.exists(init) else None
            if shutil.which("strip"):
                stripped = os.path.join(self.tmp, "stripped-" + rt)
                if subprocess.run(["strip", "-o", stripped, real], capture_output=True).returncode == 0:
                    entry["stripped_bytes"] = os.path.getsize(stripped)
                    os.unlink(stripped)
            try:
                ldd = subprocess.run(["ldd", real], capture_output=True, text=True).stdout
                entry["shared_libs"] = sorted({l.split()[0] for l in ldd.splitlines()
                                               if "=>" in l and "vdso" not in l})
            except OSError:
                entry["shared_libs"] = []
            sizes[rt] = entry
        self.results["sizes"] = sizes

    # -- cleanup ---------------------------------------------------------------------------------

    def cleanup(self):
        for rt in self.names:
            root = self.state_root(rt)
            if os.path.isdir(root):
                for cid in os.listdir(root):
                    if os.path.isdir(os.path.join(root, cid)):
                        self.force_delete(rt, cid)
        reap_orphans()
        mounts = cgroup_mounts()
        for mountpoint, _ in mounts:
            top = os.path.join(mountpoint, self.prefix)
            if os.path.isdir(top):
                kill_cgroup_tree(top)
        reap_orphans()
        for mountpoint, _ in mounts:
            top = os.path.join(mountpoint, self.prefix)
            if os.path.isdir(top):
                remove_cgroup_tree(top)
        # crun writes <cgroup root>/unified/<path>/cgroup.procs even when unified is not mounted:
        # those are plain files in the /sys/fs/cgroup tmpfs (the host's too, hidden under its
        # cgroup2 mount). Remove them from every directory that is not a cgroup mount.
        cg_points = {m for m, _ in mounts}
        if os.path.isdir(CGROUP_ROOT):
            for name in os.listdir(CGROUP_ROOT):
                d = os.path.join(CGROUP_ROOT, name)
                stray = os.path.join(d, self.prefix)
                if d not in cg_points and os.path.isdir(stray):
                    shutil.rmtree(stray, ignore_errors=True)
        for rt in self.runner.logs.values():
            os.close(rt)
        self.runner.logs = {}


def kill_cgroup_tree(top):
    for _ in range(50):
        pids = set()
        for dirpath, _, files in os.walk(top):
            if "cgroup.procs" in files:
                try:
                    with open(os.path.join(dirpath, "cgroup.procs")) as f:
                        pids.update(int(x) for x in f.read().split())
                except OSError:
                    pass
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        reap_orphans()
        time.sleep(0.05)


def remove_cgroup_tree(top):
    for _ in range(50):
        for dirpath, _, _ in sorted(os.walk(top), key=lambda e: -e[0].count("/")):
            try:
                os.rmdir(dirpath)
            except OSError:
                pass
        if not os.path.exists(top):
            return
        time.sleep(0.05)
    log("cleanup: could not remove %s" % top)


# ---------------------------------------------------------------------------------------------
# Report


def ms(x):
    return "-" if x is None else "%.1f" % (x * 1000)


def rt_label(x):
    return "-" if x is None else "%.2f" % x


def cgroup_mode():
    kinds = {fstype for _, fstype in cgroup_mounts()}
    if kinds == {"cgroup2"}:
        return "v2 only"
    if kinds == {"cgroup"}:
        return "v1 only (cgroup2 unmounted in the benchmark's mount namespace)"
    return "mixed (%s)" % ", ".join(sorted(kinds)) if kinds else "none mounted"


def pct(xs, q):
    """Nearest-rank percentile q (0-100) of xs."""
    if not xs:
        return None
    s = sorted(xs)
    return s[max(0, -(-q * len(s) // 100) - 1)]


def machine():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    distro = "?"
    if os.path.exists("/etc/os-release"):
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    distro = line.split("=", 1)[1].strip().strip('"')
    return "%s, %d CPUs, %.1f GiB RAM; %s; kernel %s" % (
        model, os.cpu_count(), mem_kb / 1048576, distro, platform.release())


def version(binary):
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10).stdout
        return out.splitlines()[0] if out else "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def git_commit():
    try:
        out = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return out.stdout.strip() + (" + uncommitted changes" if dirty else "")
    except OSError:
        return "?"


def report(b, started, elapsed):
    R = b.results
    names = b.names
    lines = []
    add = lines.append
    add("Run %s, %.0f s; N=%d per sequential measurement (after %d warm-up), parallel %d x %d rounds." % (
        started, elapsed, N, WARMUP, PAR, PAR_ROUNDS))
    add("")
    add("Machine: %s. cgroups: %s." % (machine(), cgroup_mode()))
    add("")
    add("Runtimes: " + "; ".join("%s `%s` (%s)" % (rt, b.runtimes[rt], version(b.runtimes[rt])) for rt in names)
        + "; swiftlet at commit %s." % git_commit())
    add("")
    cols = names
    have = {rt: rt in names for rt in ("swiftlet", "crun", "runc")}
    head = "| measurement | " + " | ".join("%s median (p90)" % rt for rt in cols)
    if have["swiftlet"] and have["crun"]:
        head += " | swiftlet/crun"
    if have["swiftlet"] and have["runc"]:
        head += " | swiftlet/runc"
    head += " | failures |"
    add(head)
    add("|" + "---|" * (head.count("|") - 1))

    def row(label, key, field="time", unit="ms"):
        data = R.get(key, {})
        if not any(data.get(rt, {}).get(field) for rt in cols):
            return
        meds = {rt: median(data.get(rt, {}).get(field, [])) for rt in cols}
        cells = []
        for rt in cols:
            xs = data.get(rt, {}).get(field, [])
            if not xs:
                cells.append("skipped" if key == "exec" else "-")
            elif unit == "ms":
                cells.append("%s (%s)" % (ms(median(xs)), ms(p90(xs))))
            else:
                cells.append("%.1f (%.1f)" % (median(xs) / 1024, p90(xs) / 1024))
        line = "| %s | %s" % (label, " | ".join(cells))
        if have["swiftlet"] and have["crun"]:
            line += " | " + rt_label(ratio(meds["swiftlet"], meds["crun"]))
        if have["swiftlet"] and have["runc"]:
            line += " | " + rt_label(ratio(meds["swiftlet"], meds["runc"]))
        fails = b.failures.get(key, {})
        if field != "time":
            cell = ""
        elif fails:
            cell = ", ".join("%s %d" % (rt, n) for rt, n in sorted(fails.items()))
        else:
            cell = "0"
        line += " | " + cell + " |"
        add(line)

    row("1a. `run` /bin/true, ms", "run_netns")
    row("1b. `run` /bin/true, no netns, ms", "run_nonetns")
    row("2. create+start+wait+delete, ms", "lifecycle")
    row("2. ... of which `create`", "lifecycle", "create")
    row("2. ... of which `start`", "lifecycle", "start")
    row("2. ... of which waiting for exit", "lifecycle", "exit")
    row("2. ... of which `delete`", "lifecycle", "delete")
    row("3. %d x `run` in parallel, wall ms" % PAR, "parallel")
    row("4. `exec` /bin/true, ms", "exec")
    row("5a. peak RSS of `run`, MiB", "run_netns", "rss", unit="MiB")
    row("5a. peak RSS of `create`, MiB", "lifecycle", "rss", unit="MiB")
    row("5a. peak RSS of `exec`, MiB", "exec", "rss", unit="MiB")
    add("")

    floors = [(k, label) for k, label in (("run_netns", "1a. `run` /bin/true"), ("run_nonetns", "1b. `run`, no netns"))
              if R.get("floor_" + k)]
    if floors:
        kinds = [fl for fl in ("floor", "floor-cmd", "floor-bundle") if any(R["floor_" + k].get(fl) for k, _ in floors)]
        add("0. The kernel's floor, and each runtime's `run` over it. floor: bench/floor.c, one clone of the "
            "same namespaces + chroot into the same rootfs + exec /bin/true, waited for. floor-cmd: the same with "
            "util-linux `unshare --fork` and coreutils `chroot` (three dynamic executables, as the issue first "
            "measured it). floor-bundle: bench/floor-bundle.c, the kernel work the bundle asks of any runtime "
            "(its v1 cgroups, the same namespaces, its mounts, devices, masked and read-only paths, pivot_root, "
            "capabilities) in straight-line C, with no state, init, validation or in-root resolution. All "
            "interleaved with 1a/1b:")
        add("")
        add("| measurement | " + " | ".join("%s | %s" % (fl, " | ".join("%s/%s" % (rt, fl) for rt in names)) for fl in kinds) + " |")
        add("|" + "---|" * (1 + len(kinds) * (1 + len(names))))
        for k, label in floors:
            cells = []
            for fl in kinds:
                f = R["floor_" + k].get(fl, {}).get("time", [])
                cells.append("%s (%s)" % (ms(median(f)), ms(p90(f))) if f else "-")
                cells += [rt_label(ratio(median(R.get(k, {}).get(rt, {}).get("time", [])), median(f))) for rt in names]
            add("| %s, ms median (p90) | %s |" % (label, " | ".join(cells)))
        add("")

    cpu = R.get("cpu", {})
    if cpu:
        add("1c. CPU per container: %d sequential `run`s of /bin/true per runtime in blocks of %d (rotating "
            "order); user and system time and minor faults from getrusage(RUSAGE_CHILDREN) deltas (the runtime, "
            "the init, the process: everything waited for), busy from /proc/stat (all CPUs, so kernel threads "
            "such as netns cleanup and RCU callbacks count, and so does anything else the machine runs). "
            "Median (min) of the blocks, per container:" % (CPU_N, CPU_BLOCK))
        add("")
        rts = [rt for rt in names + ["floor", "floor-bundle"] if rt in cpu]
        add("| per container | " + " | ".join(rts) + (" | swiftlet/crun |" if "swiftlet" in cpu and "crun" in cpu else " |"))
        add("|---|" + "---|" * (len(rts) + (1 if "swiftlet" in cpu and "crun" in cpu else 0)))
        for field, label, scale, fmt in (("user", "user, ms", 1000, "%.2f"), ("sys", "system, ms", 1000, "%.2f"),
                                         ("cpu", "user + system, ms", 1000, "%.2f"),
                                         ("busy", "/proc/stat busy, ms", 1000, "%.2f"),
                                         ("minflt", "minor faults", 1, "%.0f"), ("wall", "wall, ms", 1000, "%.2f")):
            cells = []
            for rt in rts:
                xs = cpu[rt].get(field, [])
                cells.append((fmt + " (" + fmt + ")") % (median(xs) * scale, min(xs) * scale) if xs else "-")
            line = "| %s | %s |" % (label, " | ".join(cells))
            if "swiftlet" in cpu and "crun" in cpu:
                line += " %s |" % rt_label(ratio(median(cpu["swiftlet"].get(field, [])), median(cpu["crun"].get(field, []))))
            add(line)
        add("")

    churn = R.get("churn", {})
    if churn:
        add("2c. Churn: %d workers, each looping create + start + wait + delete of /bin/true containers, "
            "%.0f s per runtime in %d slices (latency: create to delete's exit):" % (
                CHURN_WORKERS, CHURN_SECONDS, CHURN_SLICES))
        add("")
        add("| runtime | containers | containers/s | p50 ms | p99 ms | failed | left behind |")
        add("|---|---|---|---|---|---|---|")
        for rt in names:
            c = churn.get(rt, {})
            if "wall" not in c:
                continue
            done, wall, lat = sum(c.get("done", [])), sum(c.get("wall", [])), c.get("time", [])
            leaks = c.get("leaks", [])
            add("| %s | %d | %.1f | %s | %s | %d | %s |" % (
                rt, done, done / wall if wall else 0, ms(pct(lat, 50)), ms(pct(lat, 99)),
                b.failures.get("churn", {}).get(rt, 0), "nothing" if not leaks else "; ".join(leaks[:5])))
        add("")

    par = R.get("parallel", {})
    if par:
        add("3. Every round of %d parallel `run`s, wall ms (round i of each runtime ran back to back):" % PAR)
        add("")
        add("| runtime | " + " | ".join("round %d" % (i + 1) for i in range(PAR_ROUNDS)) + " |")
        add("|---|" + "---|" * PAR_ROUNDS)
        for rt in names:
            xs = par.get(rt, {}).get("time", [])
            if xs:
                add("| %s | %s |" % (rt, " | ".join(ms(x) for x in xs)))
        if "swiftlet" in par and "crun" in par:
            rs = [ratio(a, c) for a, c in zip(par["swiftlet"].get("time", []), par["crun"].get("time", []))]
            add("| swiftlet/crun | %s |" % " | ".join(rt_label(x) for x in rs))
        add("")
        add("CPU per container in those rounds, ms: user + system of the runtimes and their children "
            "(getrusage), and /proc/stat busy (all CPUs: kernel threads too, and the machine's other load):")
        add("")
        add("| runtime | " + " | ".join("round %d" % (i + 1) for i in range(PAR_ROUNDS)) + " |")
        add("|---|" + "---|" * PAR_ROUNDS)
        for rt in names:
            c, bz = par.get(rt, {}).get("cpu", []), par.get(rt, {}).get("busy", [])
            if c:
                add("| %s | %s |" % (rt, " | ".join("%.2f / %.2f" % (x * 1000, y * 1000) for x, y in zip(c, bz))))
        add("")

    mem = R.get("memory", {})
    if mem:
        add("5b. The running container's pid 1 as the host sees it (`sleep 100000` container; /proc/PID/smaps_rollup, KiB):")
        add("")
        add("| runtime | pid 1 | Rss | Pss | Private_Clean | Private_Dirty | Private total | after the execs: Private total |")
        add("|---|---|---|---|---|---|---|---|")
        for rt in names:
            m = mem.get(rt, {}).get("pid1")
            if not m:
                continue
            after = mem.get(rt, {}).get("pid1_after_exec", {})
            priv = m.get("Private_Clean", 0) + m.get("Private_Dirty", 0)
            priv_after = after.get("Private_Clean", 0) + after.get("Private_Dirty", 0) if after else None
            add("| %s | %s | %d | %d | %d | %d | %d | %s |" % (
                rt, m.get("comm", "?"), m.get("Rss", 0), m.get("Pss", 0), m.get("Private_Clean", 0),
                m.get("Private_Dirty", 0), priv, "-" if priv_after is None else priv_after))
        add("")
        add("(crun and runc have no init: their pid 1 is the user's process itself.)")
        add("")

    sizes = R.get("sizes", {})
    if sizes:
        add("6. Binary sizes:")
        add("")
        add("| runtime | file | bytes | stripped | shared libraries |")
        add("|---|---|---|---|---|")
        for rt in names:
            s = sizes.get(rt)
            if not s:
                continue
            add("| %s | `%s` | %s | %s | %s |" % (rt, s["binary"], "{:,}".format(s["bytes"]),
                                                  "{:,}".format(s["stripped_bytes"]) if "stripped_bytes" in s else "-",
                                                  ", ".join(s.get("shared_libs", [])) or "none (static)"))
            if rt == "swiftlet" and s.get("init_bytes") is not None:
                add("| swiftlet-init | (next to swiftlet) | %s | | static |" % "{:,}".format(s["init_bytes"]))
        add("")

    # Targets (issue 6)
    if have["swiftlet"]:
        add("Targets (issue 6):")
        add("")

        def med(key, rt, field="time"):
            return median(R.get(key, {}).get(rt, {}).get(field, []))

        def check(label, value_text, ok):
            add("- [%s] %s: %s" % ("met" if ok else "NOT met" if ok is not None else "n/a", label, value_text))

        for key, label in (("run_netns", "1a run"), ("run_nonetns", "1b run, no netns"),
                           ("lifecycle", "2 create+start+delete")):
            s = med(key, "swiftlet")
            if have["crun"]:
                r = ratio(s, med(key, "crun"))
                check("%s: swiftlet/crun <= 0.90" % label, rt_label(r), None if r is None else r <= 0.90)
            if have["runc"]:
                r = ratio(s, med(key, "runc"))
                check("%s: swiftlet/runc <= 0.50" % label, rt_label(r), None if r is None else r <= 0.50)
        m = mem.get("swiftlet", {}).get("pid1")
        if m:
            priv = m.get("Private_Clean", 0) + m.get("Private_Dirty", 0)
            check("init private memory <= 1 MiB per container", "%d KiB (Pss %d KiB)" % (priv, m.get("Pss", 0)),
                  priv <= 1024)
        else:
            check("init private memory <= 1 MiB per container", "not measured", None)
        if have["crun"]:
            s, c = med("run_netns", "swiftlet", "rss"), med("run_netns", "crun", "rss")
            if s is not None and c is not None:
                check("runtime peak RSS (`run`) <= crun's + 2 MiB", "%.1f MiB vs %.1f + 2 MiB" % (s / 1024, c / 1024),
                      s <= c + 2048)
            s, c = med("parallel", "swiftlet"), med("parallel", "crun")
            fails = sum(R.get("parallel", {}).get("swiftlet", {}).get("failed", []))
            check("%d parallel: no failures" % PAR, "%d failed" % fails, fails == 0)
            if s is not None and c is not None:
                check("%d parallel: wall time <= crun's" % PAR, "%s ms vs %s ms" % (ms(s), ms(c)), s <= c)
        add("")
    if have["swiftlet"]:
        add("Targets (issue 19):")
        add("")

        def med19(key, rt, field="time"):
            return median(R.get(key, {}).get(rt, {}).get(field, []))

        def check19(label, value_text, ok):
            add("- [%s] %s: %s" % ("met" if ok else "NOT met" if ok is not None else "n/a", label, value_text))

        for key, label in (("run_netns", "1 floor: swiftlet `run` / floor <= 1.5"),
                           ("run_nonetns", "1 floor, no netns: swiftlet `run` / floor <= 1.5")):
            r = ratio(med19(key, "swiftlet"), med19("floor_" + key, "floor"))
            check19(label, "not measured" if r is None else "%.2f (%s vs %s ms)" % (
                r, ms(med19(key, "swiftlet")), ms(med19("floor_" + key, "floor"))), None if r is None else r <= 1.5)
        for key, label in (("run_netns", "1 (reference, no target) swiftlet `run` / floor-bundle"),
                           ("run_nonetns", "1 (reference, no target) no netns: swiftlet `run` / floor-bundle")):
            r = ratio(med19(key, "swiftlet"), med19("floor_" + key, "floor-bundle"))
            if r is not None:
                add("- [info] %s: %.2f (%s vs %s ms)" % (label, r, ms(med19(key, "swiftlet")),
                                                       ms(med19("floor_" + key, "floor-bundle"))))
        c = R.get("churn", {})
        if c.get("swiftlet", {}).get("wall") and c.get("crun", {}).get("wall"):
            def rate(rt):
                return sum(c[rt].get("done", [])) / sum(c[rt]["wall"])
            r = rate("swiftlet") / rate("crun") if rate("crun") else None
            fails = b.failures.get("churn", {}).get("swiftlet", 0)
            leaks = c["swiftlet"].get("leaks", [])
            check19("2 churn: swiftlet containers/s >= 1.3 x crun's, zero failures, nothing left",
                    "%.2f x (%.1f vs %.1f/s), p99 %s ms, %d failed, %s" % (
                        r or 0, rate("swiftlet"), rate("crun"), ms(pct(c["swiftlet"].get("time", []), 99)), fails,
                        "nothing left" if not leaks else "%d left" % len(leaks)),
                    r is not None and r >= 1.3 and fails == 0 and not leaks)
        else:
            check19("2 churn: swiftlet containers/s >= 1.3 x crun's", "not measured", None)
        p = R.get("parallel", {})
        if p.get("swiftlet", {}).get("time") and p.get("crun", {}).get("time"):
            rs = [a / c2 for a, c2 in zip(p["swiftlet"]["time"], p["crun"]["time"])]
            r = ratio(med19("parallel", "swiftlet"), med19("parallel", "crun"))
            check19("3 %d parallel `run`: <= 0.8 x crun in every round" % PAR,
                    "median %.2f; rounds %s" % (r, ", ".join("%.2f" % x for x in rs)), max(rs) <= 0.8)
        else:
            check19("3 %d parallel `run`: <= 0.8 x crun" % PAR, "not measured", None)
        for key, label in (("run_netns", "run"), ("lifecycle", "create"), ("exec", "exec")):
            sv, cv = med19(key, "swiftlet", "rss"), med19(key, "crun", "rss")
            check19("4 peak RSS of `%s` <= crun's" % label,
                    "not measured" if sv is None or cv is None else "%.1f vs %.1f MiB" % (sv / 1024, cv / 1024),
                    None if sv is None or cv is None else sv <= cv)
        add("")
    if b.failures:
        add("Failed commands by phase: " + "; ".join(
            "%s: %s" % (k, ", ".join("%s %d" % (rt, n) for rt, n in sorted(v.items())))
            for k, v in sorted(b.failures.items())))
        add("")
    if b.notes:
        add("Notes:")
        add("")
        for note in b.notes:
            add("- " + note.replace("\n", " "))
        add("")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# Density (--density N)

MEMINFO_FIELDS = ("MemAvailable", "MemFree", "Slab", "SReclaimable", "SUnreclaim", "KernelStack", "PageTables",
                  "Shmem", "AnonPages", "Percpu", "Cached")


def meminfo():
    out = {}
    with open("/proc/meminfo") as f:
        for line in f:
            name, _, rest = line.partition(":")
            if name in MEMINFO_FIELDS:
                out[name] = int(rest.split()[0])  # KiB
    return out


def meminfo_settled(reads=3):
    """The median of a few readings a second apart, field by field (other processes move
    MemAvailable by megabytes)."""
    samples = []
    for i in range(reads):
        if i:
            time.sleep(1)
        samples.append(meminfo())
    return {k: statistics.median(s[k] for s in samples) for k in samples[0]}


def slabinfo():
    """Bytes of slab pages per cache (num_slabs x pagesperslab x page size)."""
    out = {}
    page = os.sysconf("SC_PAGE_SIZE")
    try:
        with open("/proc/slabinfo") as f:
            for line in f:
                if line.startswith(("slabinfo", "#")):
                    continue
                parts = line.split()
                # name active_objs num_objs objsize objperslab pagesperslab : tunables ... : slabdata active num shared
                out[parts[0]] = int(parts[-2]) * int(parts[5]) * page
    except (OSError, IndexError, ValueError):
        pass
    return out


class Density:
    def __init__(self, bench, n):
        self.b = bench
        self.n = n
        self.rows = {}

    def spawn_all(self, rt, verb, ids, argv_of):
        """Runs argv_of(cid) for every id with BENCH_CHURN_WORKERS workers: (seconds, failed ids)."""
        pending = list(ids)
        failed = []
        lock = threading.Lock()

        def worker():
            while True:
                with lock:
                    if not pending:
                        return
                    cid = pending.pop()
                rc = self.b.runner.quiet(argv_of(cid), rt, timeout=120)
                if rc != 0:
                    with lock:
                        failed.append(cid)

        t0 = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(CHURN_WORKERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.perf_counter() - t0, failed

    def timed(self, rt, argv, reps=5):
        xs = []
        for _ in range(reps):
            rc, secs, _ = self.b.runner.run(argv, rt)
            if rc == 0:
                xs.append(secs)
        return xs

    def run(self, rt):
        b = self.b
        log("== density %s: %d sleep containers" % (rt, self.n))
        ids = ["%s-dens-%d" % (rt, i) for i in range(self.n)]
        bundles = {}
        for i, cid in enumerate(ids):
            bundles[cid] = b.bundle(rt, "dens-%d" % i, ["sleep", "1000000"], cid=cid)
        reap_orphans()
        time.sleep(2)
        before, slab_before = meminfo_settled(), slabinfo()
        # create (which detaches) then start: the runtime's own process is gone afterwards,
        # only the containers' processes remain (what an engine leaves running)
        t_create, failed = self.spawn_all(rt, "create", ids, lambda c: b.cmd(rt, "create", "--bundle", bundles[c], c))
        t_start, failed2 = self.spawn_all(rt, "start", [c for c in ids if c not in failed], lambda c: b.cmd(rt, "start", c))
        failed += failed2
        running = self.n - len(failed)
        log("  %d running (%d failed): create %.1f s, start %.1f s" % (running, len(failed), t_create, t_start))
        time.sleep(3)
        after, slab_after = meminfo_settled(), slabinfo()
        pss = self.container_pss(rt, ids[:20])
        probe = ids[len(ids) // 2]
        lat = {
            "list": self.timed(rt, b.cmd(rt, "list")),
            "state": self.timed(rt, b.cmd(rt, "state", probe)),
            "ps": self.timed(rt, b.cmd(rt, "ps", probe)),
        }
        t_delete, failed_delete = self.spawn_all(rt, "delete", ids, lambda c: b.cmd(rt, "delete", "--force", c))
        reap_orphans()
        time.sleep(3)
        reap_orphans()
        gone = meminfo_settled()
        leaks = b.leak_check(rt, "-dens-")
        slab_delta = {k: slab_after.get(k, 0) - slab_before.get(k, 0) for k in set(slab_after) | set(slab_before)}
        self.rows[rt] = {
            "running": running, "failed": len(failed), "failed_delete": len(failed_delete),
            "t_create": t_create, "t_start": t_start, "t_delete": t_delete,
            "before": before, "after": after, "gone": gone, "slab_delta": slab_delta, "pss": pss,
            "lat": lat, "leaks": leaks,
        }
        log("  deleted in %.1f s, %d failed; left: %s" % (t_delete, len(failed_delete), leaks or "nothing"))

    def container_pss(self, rt, sample):
        """Pss and private KiB of every process of a sample of containers (their cgroup.procs
        in the pids hierarchy, or the unified one), averaged per container."""
        totals, counted = {"Pss": 0, "Private": 0, "procs": 0}, 0
        for cid in sample:
            pids = []
            for mountpoint, fstype in cgroup_mounts():
                if fstype == "cgroup2" or mountpoint.endswith("/pids"):
                    try:
                        with open(os.path.join(mountpoint, self.b.prefix, cid, "cgroup.procs")) as f:
                            pids = [int(x) for x in f.read().split()]
                    except OSError:
                        continue
                    break
            if not pids:
                continue
            counted += 1
            for pid in pids:
                try:
                    with open("/proc/%d/smaps_rollup" % pid) as f:
                        for line in f:
                            k, _, v = line.partition(":")
                            if k == "Pss":
                                totals["Pss"] += int(v.split()[0])
                            elif k in ("Private_Clean", "Private_Dirty"):
                                totals["Private"] += int(v.split()[0])
                    totals["procs"] += 1
                except OSError:
                    pass
        return {k: v / counted for k, v in totals.items()} if counted else {}

    def report(self):
        lines = []
        add = lines.append
        names = list(self.rows)
        add("Density: %d containers running `sleep` per runtime (bench/base-config.json: pid, ipc, uts, mount and "
            "network namespaces, a cgroup in every hierarchy), created then started by %d workers; memory "
            "from /proc/meminfo (the median of three readings a second apart) before the first create and 3 s "
            "after the last start; per container = delta / containers running." % (self.n, CHURN_WORKERS))
        add("")
        add("| | " + " | ".join(names) + " |")
        add("|---|" + "---|" * len(names))

        def row(label, f):
            add("| %s | %s |" % (label, " | ".join(f(self.rows[rt]) for rt in names)))

        row("containers running / failed", lambda r: "%d / %d" % (r["running"], r["failed"]))
        row("create all, s / start all, s", lambda r: "%.1f / %.1f" % (r["t_create"], r["t_start"]))
        for field in ("MemAvailable", "Slab", "SUnreclaim", "SReclaimable", "KernelStack", "PageTables", "Percpu",
                      "Shmem", "AnonPages", "Cached"):
            sign = -1 if field == "MemAvailable" else 1
            row("%s per container, KiB%s" % (field, " (drop)" if sign < 0 else ""),
                lambda r, f=field, sg=sign: "%.0f" % (sg * (r["after"][f] - r["before"][f]) / max(1, r["running"])))
        row("processes per container (sample of 20)", lambda r: "%.0f" % r["pss"].get("procs", 0))
        row("their Pss per container, KiB", lambda r: "%.0f" % r["pss"].get("Pss", 0))
        row("their private memory per container, KiB", lambda r: "%.0f" % r["pss"].get("Private", 0))
        for verb in ("list", "state", "ps"):
            row("`%s` at %d, ms median (of 5)" % (verb, self.n),
                lambda r, v=verb: ms(median(r["lat"][v])) if r["lat"][v] else "failed")
        row("delete --force all, s (failed)", lambda r: "%.1f (%d)" % (r["t_delete"], r["failed_delete"]))
        row("MemAvailable not back 3 s after, MiB",
            lambda r: "%.0f" % ((r["before"]["MemAvailable"] - r["gone"]["MemAvailable"]) / 1024))
        row("left behind", lambda r: "nothing" if not r["leaks"] else "; ".join(r["leaks"][:5]))
        add("")
        caches = set()
        for rt in names:
            top = sorted(self.rows[rt]["slab_delta"].items(), key=lambda kv: -kv[1])[:12]
            caches.update(k for k, _ in top)
        order = sorted(caches, key=lambda k: -max(self.rows[rt]["slab_delta"].get(k, 0) for rt in names))
        add("Slab caches that grew most (/proc/slabinfo, slab pages), KiB per container:")
        add("")
        add("| cache | " + " | ".join(names) + " |")
        add("|---|" + "---|" * len(names))
        for k in order:
            add("| %s | %s |" % (k, " | ".join("%.1f" % (self.rows[rt]["slab_delta"].get(k, 0) / 1024 /
                                                         max(1, self.rows[rt]["running"])) for rt in names)))
        add("")
        return "\n".join(lines)


VM_DEFAULTS = {"BENCH_N": "5", "BENCH_WARMUP": "1", "BENCH_CHURN_SECONDS": "15", "BENCH_RSS_N": "3"}


def run_in_vm():
    """bench.py inside conformance/vm's guest (cgroup v2 only), under the VM lock. The guest
    sees this machine's root read-only over 9p: the runtimes, the floor helper and the dynamic
    executables' libraries are copied onto a tmpfs there (an exec through 9p costs a second),
    and the report comes back on the
    guest's stdout."""
    if os.geteuid() != 0:
        sys.exit("bench.py: must run as root")
    floor, why = build_floor()
    if why:
        sys.exit("bench.py --vm: the floor helper: %s" % why)
    swiftlet = os.path.abspath(os.environ.get("SWIFTLET") or os.path.join(REPO, ".build/release/swiftlet"))
    crun = os.path.abspath(os.environ.get("CRUN") or shutil.which("crun") or "/usr/bin/crun")
    runc = os.path.abspath(os.environ.get("RUNC") or shutil.which("runc") or "/usr/sbin/runc")
    init = os.path.join(os.path.dirname(os.path.realpath(swiftlet)), "swiftlet-init")
    for path in (swiftlet, init, crun, runc):
        if not os.access(path, os.X_OK):
            sys.exit("bench.py --vm: %s is not an executable" % path)
    env = dict(VM_DEFAULTS)
    env.update({k: v for k, v in os.environ.items() if k.startswith("BENCH_") and k not in ("BENCH_OUT", "BENCH_JSON", "BENCH_TMP", "BENCH_CACHE", "BENCH_FLOOR")})
    w = "/tmp/swiftlet-vm-bench"
    q = shlex.quote
    script = "\n".join([
        "set -e",
        "for c in $(cat /sys/fs/cgroup/cgroup.controllers); do echo +$c > /sys/fs/cgroup/cgroup.subtree_control; done",
        "mkdir -p %s && mount -t tmpfs -o mode=755 swiftlet-vm-bench %s && mkdir %s/bin" % (w, w, w),
        "cp %s %s %s/bin/" % (q(os.path.realpath(swiftlet)), q(init), w),
        "cp %s %s/bin/crun && cp %s %s/bin/runc && cp %s %s/bin/floor" % (q(crun), w, q(runc), w, q(floor), w),
        # The dynamic executables (crun, runc, floor-cmd's unshare and chroot) load their shared
        # libraries and the loader through 9p at every exec, which costs far more than the work
        # measured: each library (and the two commands) is copied onto the tmpfs and bound over
        # its own path, in the guest only, so every runtime's exec comes from memory.
        "for f in $( (for b in %s/bin/crun %s/bin/runc $(command -v unshare) $(command -v chroot); do"
        " ldd $b | awk '$2 == \"=>\" && $3 ~ /^\\// { print $3 } $1 ~ /^\\// { print $1 }'; done;"
        " command -v unshare; command -v chroot) | xargs -n1 readlink -f | sort -u); do"
        " mkdir -p %s/lib$(dirname $f) && cp $f %s/lib$f && mount --bind %s/lib$f $f; done" % (w, w, w, w, w),
        "cd %s" % q(REPO),
        "echo \"guest: $(uname -r), $(nproc) vCPUs, $(stat -f -c %%T /sys/fs/cgroup)\" >&2",
        "env %s SWIFTLET=%s/bin/swiftlet CRUN=%s/bin/crun RUNC=%s/bin/runc BENCH_FLOOR=%s/bin/floor "
        "BENCH_TMP=%s BENCH_CACHE=%s python3 bench/bench.py" % (
            " ".join("%s=%s" % (k, q(v)) for k, v in sorted(env.items())), w, w, w, w, w, w),
    ])
    vm_env = dict(os.environ)
    vm_env.setdefault("VM_TIMEOUT", "1500")
    vm_env.setdefault("VM_DEADLINE", "1600")
    log("bench.py --vm: waiting for /tmp/swiftlet-vm.lock, then booting the VM (minutes)")
    t0 = time.monotonic()
    r = subprocess.run(["flock", "/tmp/swiftlet-vm.lock", os.path.join(REPO, "conformance/vm/run"), "--shell", script],
                       env=vm_env, stdout=subprocess.PIPE, text=True)
    out = r.stdout
    start = out.find("Run ")
    text = ("Inside conformance/vm's guest (cgroup v2 only, Debian's 6.1 kernel, qemu TCG emulation), "
            "booted by `bench/bench.py --vm` in %.0f s; the guest's report:\n\n" % (time.monotonic() - t0)) + \
        (out[start:] if start >= 0 else out)
    print(text)
    if os.environ.get("BENCH_OUT"):
        with open(os.environ["BENCH_OUT"], "w") as f:
            f.write(text + "\n")
    return r.returncode


def main():
    if "--vm" in sys.argv[1:]:
        return run_in_vm()
    density = None
    if "--density" in sys.argv[1:]:
        i = sys.argv.index("--density")
        density = int(sys.argv[i + 1]) if i + 1 < len(sys.argv) and sys.argv[i + 1].isdigit() else 1000
    if os.environ.get(INNER_MARK) != "1":
        reexec_in_private_namespace()
    if any(fstype == "cgroup2" for _, fstype in cgroup_mounts()) and \
            any(fstype == "cgroup" for _, fstype in cgroup_mounts()):
        sys.exit("bench.py: a cgroup2 hierarchy is still mounted next to v1 ones; crun would refuse it")

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("bench.py: prctl(PR_SET_CHILD_SUBREAPER) failed")

    wanted = [x for x in os.environ.get("BENCH_RUNTIMES", "swiftlet,crun" if density else "swiftlet,crun,runc").split(",")
              if x]
    defaults = {
        "swiftlet": os.environ.get("SWIFTLET") or os.path.join(REPO, ".build/release/swiftlet"),
        "crun": os.environ.get("CRUN") or shutil.which("crun") or "crun",
        "runc": os.environ.get("RUNC") or shutil.which("runc") or "runc",
    }
    runtimes = {}
    for rt in wanted:
        if rt not in defaults:
            sys.exit("bench.py: unknown runtime %s" % rt)
        path = os.path.abspath(defaults[rt]) if os.sep in defaults[rt] else shutil.which(defaults[rt])
        if not path or not os.access(path, os.X_OK):
            sys.exit("bench.py: %s not found (%s)%s" % (rt, defaults[rt], "; build it with scripts/build-release.sh"
                     if rt == "swiftlet" else ""))
        runtimes[rt] = path
    if "swiftlet" in runtimes and not os.access(os.path.join(os.path.dirname(runtimes["swiftlet"]), "swiftlet-init"),
                                                os.X_OK):
        sys.exit("bench.py: swiftlet-init must sit next to %s" % runtimes["swiftlet"])

    parent = os.environ.get("BENCH_TMP") or tempfile.gettempdir()
    tmp = tempfile.mkdtemp(prefix="swiftlet-bench.", dir=parent)
    b = Bench(runtimes, tmp)

    def on_signal(signum, _frame):
        raise KeyboardInterrupt("signal %d" % signum)

    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)

    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    t_start = time.monotonic()
    status = 0
    try:
        env = dict(os.environ)
        r = subprocess.run([os.path.join(REPO, "conformance/lib/rootfs.sh"), b.rootfs], env=env,
                           capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit("bench.py: rootfs.sh failed: %s" % r.stderr)
        # Smoke test: every runtime runs one container in this namespace (crun refuses hybrid).
        for rt in b.names:
            cid = "%s-smoke" % rt
            bundle = b.bundle(rt, "smoke", ["/bin/true"], cid=cid)
            rc, _, _ = b.runner.run(b.cmd(rt, "run", "--bundle", bundle, cid), rt)
            reap_orphans()
            if rc != 0:
                sys.exit("bench.py: %s cannot run a container here (exit %d):\n%s" % (rt, rc, b.runner.tail(rt)))
        sections = [] if density else SECTIONS
        if density:
            d = Density(b, density)
            for rt in b.names:
                d.run(rt)
        if "floor" in sections:
            b.floor, why = build_floor()
            if why:
                b.notes.append("floor not measured: %s" % why)
            else:
                rc, _, _ = b.runner.run([b.floor, "netns", b.rootfs, "/bin/true"], "floor")
                reap_orphans()
                if rc != 0:
                    b.notes.append("floor not measured: %s exited %d: %s" % (b.floor, rc, b.runner.tail("floor", 2)))
                    b.floor = None
            if any(fstype == "cgroup" for _, fstype in cgroup_mounts()):
                b.floor_bundle, why = build_floor("floor-bundle")
                if why:
                    b.notes.append("floor-bundle not measured: %s" % why)
                else:
                    rc, _, _ = b.runner.run(b.floor_bundle_argv(), "floor-bundle")
                    reap_orphans()
                    if rc != 0:
                        b.notes.append("floor-bundle not measured: %s exited %d: %s" % (
                            b.floor_bundle, rc, b.runner.tail("floor-bundle", 2)))
                        b.floor_bundle = None
            else:
                b.notes.append("floor-bundle not measured: it does the bundle's cgroup work on v1 hierarchies, and there are none")
            if shutil.which("unshare") and shutil.which("chroot"):
                b.floor_cmd = [shutil.which("unshare"), "--mount", "--uts", "--ipc", "--pid"]
                b.floor_cmd_chroot = shutil.which("chroot")
        if "run" in sections:
            b.bench_run("run_netns", netns=True)
            b.bench_run("run_nonetns", netns=False)
        if "cpu" in sections:
            if "floor" not in sections:
                b.floor, why = build_floor()
            b.bench_cpu()
        if "lifecycle" in sections:
            b.bench_lifecycle()
        if "churn" in sections:
            b.bench_churn()
        if "parallel" in sections:
            b.bench_parallel()
        if "exec" in sections:
            b.bench_exec_and_memory()
        if "rss" in sections:
            if os.access(TIME, os.X_OK):
                b.bench_rss()
            else:
                b.notes.append("peak RSS not measured: %s (GNU time) is missing" % TIME)
        if "sizes" in sections:
            b.sizes()
    except KeyboardInterrupt as e:
        log("interrupted (%s): cleaning up" % e)
        status = 130
    finally:
        b.cleanup()
        keep = os.environ.get("BENCH_KEEP") == "1"
        if keep:
            log("kept %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if status:
        return status
    if density:
        text = "Run %s, %.0f s. Machine: %s. cgroups: %s.\n\n" % (
            started, time.monotonic() - t_start, machine(), cgroup_mode()) + d.report()
    else:
        text = report(b, started, time.monotonic() - t_start)
    print(text)
    if os.environ.get("BENCH_OUT"):
        with open(os.environ["BENCH_OUT"], "w") as f:
            f.write(text + "\n")
    if os.environ.get("BENCH_JSON"):
        with open(os.environ["BENCH_JSON"], "w") as f:
            json.dump({"results": b.results, "failures": b.failures, "notes": b.notes,
                       "density": d.rows if density else None}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
