#!/usr/bin/env bash
# The classic `unshare` demo, as a container: builds a busybox-static rootfs and a bundle in
# /tmp/swiftlet-demo (or $1), then runs it with swiftlet. Inside, the container shows that it
# is PID 1's child in its own pid namespace, has its own hostname, its own namespaces (next to
# the host's, printed first) and a user namespace mapping its root to an unprivileged host uid.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
swiftlet=${SWIFTLET:-$here/.build/release/swiftlet}
demo=${1:-/tmp/swiftlet-demo}
mkdir -p "$demo"
[ -d "$demo/rootfs" ] || "$here/conformance/lib/rootfs.sh" "$demo/rootfs"
# The rootfs must be readable by the container's root, which the user namespace maps to host
# uid 100000.
chown -R 100000:100000 "$demo/rootfs"

script='echo "== inside the container"
echo "hostname: $(hostname)"
echo "processes (PID 1 is swiftlet-init, the container init):"; ps -o pid,user,comm
echo "id: $(id)"
echo "uid_map: $(cat /proc/self/uid_map)"
echo "namespaces:"; for n in pid net mnt uts ipc user cgroup; do echo "  $n -> $(readlink /proc/self/ns/$n)"; done
echo "mounts: $(wc -l < /proc/self/mountinfo) (the host has many more), / is $(awk "\$5==\"/\"{print \$4}" /proc/self/mountinfo)"'

jq --arg script "$script" '
  .process.args = ["sh", "-c", $script] |
  .hostname = "swiftlet-demo" |
  .linux.namespaces += [{"type": "user"}, {"type": "cgroup"}] |
  .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
  .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
  .linux.cgroupsPath = "/swiftlet-demo" |
  .mounts |= map(select(.type != "cgroup"))' \
  "$here/conformance/lib/base-config.json" > "$demo/config.json"
jq --arg root "$demo/rootfs" '.root.path = $root | .root.readonly = true' "$demo/config.json" > "$demo/config.json.new"
mv "$demo/config.json.new" "$demo/config.json"

echo "== on the host"
echo "hostname: $(hostname)"
echo "namespaces:"; for n in pid net mnt uts ipc user cgroup; do echo "  $n -> $(readlink /proc/self/ns/$n)"; done
"$swiftlet" --root /run/swiftlet-demo run --bundle "$demo" demo-$$
