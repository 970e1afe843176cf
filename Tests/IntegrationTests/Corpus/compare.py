#!/usr/bin/env python3
"""Runs the bad-input corpus (bad-inputs.json) against any runtime, outside `swift test`, to
compare swiftlet with runc or crun on the same bundles:

    RUNTIME=$(command -v runc) Tests/IntegrationTests/Corpus/compare.py [NAME-SUBSTRING...]

Prints per case REFUSED (exit 1 with one line naming every `mentions` word), REFUSED* (exit 1,
other wording or several lines), RAN (created: the container is deleted again; for the escape
cases the host directory is checked) or OTHER, then the tallies. Needs root and the busybox
rootfs the integration tests build (ROOTFS, default /tmp/swiftlet-itest-rootfs). It mirrors
BadInputCorpusTests' base config; the Swift test remains the one that asserts.
"""
import json, os, re, subprocess, sys, shutil, tempfile, uuid
S = os.environ.get("RUNTIME") or sys.exit("set RUNTIME=/path/to/runtime")
ROOTFS = os.environ.get("ROOTFS", "/tmp/swiftlet-itest-rootfs")
D = tempfile.mkdtemp(prefix="swiftlet-corpus-")
os.makedirs(D + "/host")
open(D + "/host/file", "w").write("host\n")
caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
def base(cg):
    return json.loads(json.dumps(base0(cg)))
def base0(cg):
    return {"ociVersion": "1.2.0",
     "process": {"user": {"uid": 0, "gid": 0}, "args": ["sh", "-c", "true"], "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", "SWIFTLET_CORPUS=1"], "cwd": "/",
        "capabilities": {"bounding": caps, "effective": caps, "permitted": caps},
        "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}], "noNewPrivileges": True},
     "root": {"path": ROOTFS, "readonly": True}, "hostname": "itest",
     "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
        {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
        {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]}],
     "linux": {"resources": {"devices": [{"allow": False, "access": "rwm"}]}, "cgroupsPath": "/swiftlet-corpus/" + cg,
        "namespaces": [{"type": t} for t in ["pid", "network", "ipc", "uts", "mount"]],
        "maskedPaths": ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
        "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]}}
def setpath(obj, path, value, delete=False):
    parts = re.findall(r'[^.\[\]]+|\[\+\]|\[\d+\]', path)
    cur = obj
    for i, p in enumerate(parts):
        last = i == len(parts) - 1
        if p == "[+]":
            key = len(cur); cur.append(None)
        elif p.startswith("["):
            key = int(p[1:-1])
        else:
            key = p
        if last:
            if delete: del cur[key]
            else: cur[key] = value
        else:
            nxt = parts[i+1]
            if isinstance(cur, dict) and key not in cur: cur[key] = [] if nxt.startswith("[") else {}
            if isinstance(cur, list) and cur[key] is None: cur[key] = [] if nxt.startswith("[") else {}
            cur = cur[key]
def subst(v):
    if isinstance(v, str): return v.replace("$DIR", D)
    if isinstance(v, list): return [subst(x) for x in v]
    if isinstance(v, dict): return {k: subst(x) for k, x in v.items()}
    return v
cases = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "bad-inputs.json")))
tally = {}
only = sys.argv[1:] 
for c in cases:
    if only and not any(o in c["name"] for o in only): continue
    cg = "p" + uuid.uuid4().hex[:8]
    cfg = base(cg)
    rootfs = ROOTFS
    if c.get("rootfs") == "escape":
        rootfs = D + "/esc-rootfs"
        if not os.path.exists(rootfs):
            shutil.copytree(ROOTFS, rootfs, symlinks=True)
            os.symlink(D + "/host", rootfs + "/evil")
        cfg["root"]["path"] = rootfs
    if c.get("setup") == "rootfs-link":
        open(D + "/afile", "w").write("x"); 
        if not os.path.lexists(D + "/rootfs-link"): os.symlink(D + "/afile", D + "/rootfs-link")
    for k, v in c.get("set", {}).items(): setpath(cfg, k, subst(v))
    for k in c.get("unset", []): setpath(cfg, k, None, delete=True)
    if "big" in c: cfg["annotations"] = {"big.%d" % i: "x" * 1000 for i in range(c["big"] // 1015)}
    if "bigEnv" in c: cfg["process"]["env"] += ["V%d=%s" % (i, "y" * 1000) for i in range(c["bigEnv"] // 1008)]
    text = json.dumps(cfg)
    if "raw" in c:
        text = c["raw"] if c["raw"] != "NESTED" else "[" * 100000 + "]" * 100000
    b = D + "/b"; os.makedirs(b, exist_ok=True); open(b + "/config.json", "w").write(text)
    cid = c.get("id", cg)
    with open(D + "/out", "w") as o, open(D + "/err", "w") as e:
        r = subprocess.run([S, "--root", D + "/state", "create", "--bundle", b, cid], stdout=o, stderr=e, stdin=subprocess.DEVNULL, timeout=60)
    err = open(D + "/err").read().strip()
    exact = r.returncode == 1 and len(err.splitlines()) == 1 and all(m in err for m in c["mentions"])
    tag = "REFUSED" if exact else "REFUSED*" if r.returncode == 1 else "RAN" if r.returncode == 0 else "OTHER"
    if r.returncode == 0 or os.path.exists(D + "/state/" + cid):
        subprocess.run([S, "--root", D + "/state", "delete", "--force", cid], capture_output=True)
    if c.get("mayResolveInside"):
        intact = sorted(os.listdir(D + "/host")) == ["file"] and open(D + "/host/file").read() == "host\n"
        tag += "" if intact else " HOST-CHANGED"
    tally[tag] = tally.get(tag, 0) + 1
    print(f"{tag:9} {c['name']}: exit {r.returncode}: {err.splitlines()[-1][:200] if err else ''}")
print("tally:", ", ".join(f"{v} {k}" for k, v in sorted(tally.items())), f"of {sum(tally.values())}")
shutil.rmtree(D, ignore_errors=True)
