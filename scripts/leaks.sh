#!/usr/bin/env bash
# Leak check after the whole test suite (issue 8), as root: the host must hold no swiftlet
# mount, no container cgroup below a swiftlet-* cgroup in any hierarchy, and no swiftlet,
# swiftlet-init or marked container process (SWIFTLET_ITEST= / SWIFTLET_CONFORMANCE= in the
# environment, as the integration tests and the conformance suite mark them).
# Prints each leftover and `leaks: N`; exits 1 when N > 0.
set -uo pipefail
found=0
report() { echo "leak: $*"; found=$((found + 1)); }

# Mount points (field 5 of mountinfo) naming a swiftlet scratch or state directory.
while read -r point; do
    report "mount $point"
done < <(awk '{print $5}' /proc/self/mountinfo | grep -E 'swiftlet' || true)

# Container cgroups: /sys/fs/cgroup[/<hierarchy>]/swiftlet-*/<container>.
for parent in /sys/fs/cgroup/swiftlet-* /sys/fs/cgroup/*/swiftlet-*; do
    [ -d "$parent" ] || continue
    for dir in "$parent"/*/; do
        [ -d "$dir" ] && report "cgroup ${dir%/}"
    done
done

# Processes: the runtime, its init, anything carrying a test marker.
for proc in /proc/[0-9]*; do
    pid=${proc#/proc/}
    [ "$pid" = "$$" ] && continue
    comm=$(cat "$proc/comm" 2>/dev/null) || continue
    state=$(awk '{print $3}' "$proc/stat" 2>/dev/null)
    [ "$state" = Z ] && continue
    case "$comm" in
    swiftlet|swiftlet-init*) report "process $pid ($comm)"; continue ;;
    esac
    if { tr "\0" "\n" < "$proc/environ"; } 2>/dev/null | grep -qE '^SWIFTLET_(ITEST|CONFORMANCE)='; then
        report "process $pid ($comm) with a container marker"
    fi
done

echo "leaks: $found"
[ "$found" -eq 0 ]
