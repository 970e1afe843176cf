#!/usr/bin/env python3
"""swiftlet vs crun vs runc, side by side (issue 6). Run as root:

    bench/bench.py                    # re-executes itself in a private mount namespace
    BENCH_N=10 bench/bench.py         # quicker

It re-executes itself as
    unshare -m sh -c 'mount --make-rprivate / && umount /sys/fs/cgroup/unified && exec bench.py'
because crun refuses the host's hybrid cgroup layout; the host's mounts are never touched.

Measures, interleaving the runtimes (the order rotates every iteration: A B C, B C A, C A B):
  1. sequential `run` of a /bin/true bundle, with and without a network namespace
  2. `create` + `start` + wait for exit + `delete` of a /bin/true container
  3. BENCH_PAR containers `run` in parallel: wall time until all exited, failures
  4. `exec` of /bin/true into a running container (a runtime whose exec fails is skipped)
  5. peak RSS of the runtime process (/usr/bin/time -f %M), and smaps_rollup of the container's
     pid 1 as the host sees it (swiftlet-init for swiftlet; the user process for crun/runc)
  6. binary sizes
The bundle is bench/base-config.json (the shape of `runc spec`, ociVersion 1.0.2 so that
Debian's crun 1.8 accepts it) with the busybox rootfs and a cgroupsPath per container.
and prints a markdown report with medians, p90, ratios and the issue's target checks.
See docs/performance.md for exactly what each number times.

Environment (all optional):
  SWIFTLET    swiftlet binary (default: .build/release/swiftlet; swiftlet-init must sit next to it)
  CRUN, RUNC  default: from PATH
  BENCH_RUNTIMES   comma list, subset of swiftlet,crun,runc (default all three)
  BENCH_N          iterations per sequential measurement (default 30)
  BENCH_WARMUP     untimed iterations per runtime before each measurement (default 2)
  BENCH_PAR        containers in the parallel test (default 50)
  BENCH_PAR_ROUNDS rounds of the parallel test per runtime (default 3)
  BENCH_RSS_N      runs per runtime under /usr/bin/time for peak RSS (default 5)
  BENCH_SETTLE     seconds to sleep after each parallel batch (netns teardown is async; default 1)
  BENCH_TMP        parent of the temporary directory (default: $TMPDIR or /tmp)
  BENCH_OUT        also write the markdown report to this file
  BENCH_JSON       also write every raw sample to this JSON file
  BUSYBOX          static busybox for the rootfs (default /bin/busybox)
"""

import ctypes
import json
import os
import platform
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
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
        log("== %s: %d x run /bin/true (%s)" % (key, N, "with netns" if netns else "no netns"))
        for i in range(-WARMUP, N):
            for rt in self.order(i):
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
                t0 = time.perf_counter()
                pids = [(cid, self.runner.spawn(self.cmd(rt, "run", "--bundle", b, cid), rt)) for cid, b in jobs]
                codes = [(cid, Runner.wait(pid)[0]) for cid, pid in pids]
                wall = time.perf_counter() - t0
                reap_orphans()
                failed = [cid for cid, rc in codes if rc != 0]
                for cid in failed:
                    self.force_delete(rt, cid)
                if failed:
                    self.fail(key, rt, "%d of %d runs failed" % (len(failed), PAR))
                    self.failures[key][rt] += len(failed) - 1
                self.record(key, rt, "time", wall)
                self.record(key, rt, "failed", len(failed))
                time.sleep(SETTLE)

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
    add("Machine: %s. cgroups: v1 only (cgroup2 unmounted in the benchmark's mount namespace)." % machine())
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


def main():
    if os.environ.get(INNER_MARK) != "1":
        reexec_in_private_namespace()
    if any(fstype == "cgroup2" for _, fstype in cgroup_mounts()) and \
            any(fstype == "cgroup" for _, fstype in cgroup_mounts()):
        sys.exit("bench.py: a cgroup2 hierarchy is still mounted next to v1 ones; crun would refuse it")

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("bench.py: prctl(PR_SET_CHILD_SUBREAPER) failed")

    wanted = [x for x in os.environ.get("BENCH_RUNTIMES", "swiftlet,crun,runc").split(",") if x]
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
        b.bench_run("run_netns", netns=True)
        b.bench_run("run_nonetns", netns=False)
        b.bench_lifecycle()
        b.bench_parallel()
        b.bench_exec_and_memory()
        if os.access(TIME, os.X_OK):
            b.bench_rss()
        else:
            b.notes.append("peak RSS not measured: %s (GNU time) is missing" % TIME)
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
    text = report(b, started, time.monotonic() - t_start)
    print(text)
    if os.environ.get("BENCH_OUT"):
        with open(os.environ["BENCH_OUT"], "w") as f:
            f.write(text + "\n")
    if os.environ.get("BENCH_JSON"):
        with open(os.environ["BENCH_JSON"], "w") as f:
            json.dump({"results": b.results, "failures": b.failures, "notes": b.notes}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
