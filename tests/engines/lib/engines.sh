#!/usr/bin/env bash
# Starting and stopping the engines, and the `eng`/`erun` commands the checks use. Everything an
# engine keeps lives under $WORK; daemons are started by the run and stopped by their pid. What
# an engine makes outside $WORK (parent cgroups, /run/containerd) is removed only if it is not
# in the snapshot taken before the run (lib/snapshot.sh): the host's own stays.

. "$(dirname "${BASH_SOURCE[0]}")/snapshot.sh"

# conf_render NAME: the config template conf/NAME with its @PLACEHOLDERS@ filled in, on stdout.
# SWIFTLET a name (no slash): a quoted "@SWIFTLET@" in a list goes, so podman's runtime table
# has `swiftlet = []` and podman looks the name up on PATH; elsewhere the name stays a name
# (dockerd's --add-runtime=swiftlet=swiftlet: the shim looks it up).
conf_render() {
    : "${WORK:?}" "${SWIFTLET:?}" "${RUNC:?}" "${NOFILE:?}" "${NPROC:?}"
    local listed="\"$SWIFTLET\""
    [[ "$SWIFTLET" == */* ]] || listed=""
    sed -e "s|@WORK@|$WORK|g" -e "s|\"@SWIFTLET@\"|$listed|g" -e "s|@SWIFTLET@|$SWIFTLET|g" -e "s|@RUNC@|$RUNC|g" \
        -e "s|@NOFILE@|$NOFILE|g" -e "s|@NPROC@|$NPROC|g" "$ENGINES_DIR/conf/$1"
}

# ---- podman (+ conmon) -------------------------------------------------------------------------

podman_env() {
    export CONTAINERS_CONF=$WORK/podman/containers.conf
    export CONTAINERS_STORAGE_CONF=$WORK/podman/storage.conf
    export CONTAINERS_REGISTRIES_CONF=$WORK/podman/registries.conf
}

podman_up() {
    mkdir -p "$WORK/podman"
    local f
    for f in containers.conf storage.conf registries.conf; do conf_render "$f" > "$WORK/podman/$f" || return 1; done
    podman_env
    timeout 120 podman import -q "$WORK/rootfs.tar" "$IMAGE" >/dev/null
}

podman_down() {
    podman_env
    timeout 60 podman rm -fa -t 0 >/dev/null 2>&1
    timeout 60 podman rmi -af >/dev/null 2>&1
    timeout 60 podman system reset -f >/dev/null 2>&1
    remove_parent_cgroups libpod_parent
    remove_podman_cache
}

# remove_podman_cache: the blob info cache `podman import` wrote (containers/image's default,
# /var/lib/containers/cache/blob-info-cache-v1.boltdb, which no podman setting moves under
# $WORK) and its directories, if they appeared during the run and no process has them open.
# A cache the host had before stays (with the run's few entries in it).
remove_podman_cache() {
    local f
    for f in $(snapshot_new podmancache); do
        if [ -d "$f" ]; then
            rmdir "$f" 2>/dev/null
        elif ! snapshot_path_in_use "$f"; then
            rm -f "$f"
        fi
    done
    return 0
}

# remove_parent_cgroups NAME: the (then empty) parent cgroup an engine makes in every hierarchy
# for its containers, with its subdirectories (podman: libpod_parent/conmon; dockerd: docker):
# only the directories that appeared during the run, children first. A parent cgroup the host
# had before (another podman's, with its containers) stays as it is.
remove_parent_cgroups() {
    local d
    for d in $(snapshot_new cgroups | grep -E "^/sys/fs/cgroup/([^/]+/)?$1(/|\$)"); do
        rmdir "$d" 2>/dev/null
    done
    return 0
}

# RT_ROOT for podman: conmon and podman never pass --root, so the runtime's default.
podman_rt_root() { case $1 in swiftlet) echo /run/swiftlet ;; runc) echo /run/runc ;; esac; }

# ---- rootless podman: the same podman as an unprivileged user (docs/rootless.md) ---------------
# $ROOTLESS_USER (cloudsdk) runs podman with setpriv and a clean environment: HOME,
# XDG_RUNTIME_DIR (0700, the user's) and the storage under $WORK/prl. podman makes one user
# namespace for the user (a "pause" process holds it; its pid in
# $XDG_RUNTIME_DIR/libpod/tmp/pause.pid) and runs conmon and the runtime in it as uid 0; the
# runtime's default root is then $XDG_RUNTIME_DIR/<runtime>.
#
# The directory's name is short on purpose: the user's runroot, $XDG_RUNTIME_DIR/containers,
# must stay within 50 characters. podman 4.3's `container cleanup` (the exit command conmon
# runs when a container's process ends) refuses a longer one ("the specified runroot is longer
# than 50 characters"); `podman run` then gives up waiting for it only after 20 s, and every
# check still passes, only 40 times slower, with the cleanup never run. podman_rootless_up
# refuses such a path.

PRL_USER=${ROOTLESS_USER:-cloudsdk}
PRL=$WORK/prl
PRL_RUNROOT_MAX=50

# podman_rootless_as COMMAND...: COMMAND as the user, in the rootless podman environment.
podman_rootless_as() {
    setpriv --reuid="$(id -u "$PRL_USER")" --regid="$(id -g "$PRL_USER")" --clear-groups -- \
        env -i PATH="$PATH" HOME="$PRL/home" USER="$PRL_USER" LOGNAME="$PRL_USER" \
        XDG_RUNTIME_DIR="$PRL/xdg" XDG_CONFIG_HOME="$PRL/home/.config" \
        CONTAINERS_CONF="$PRL/containers.conf" CONTAINERS_STORAGE_CONF="$PRL/storage.conf" \
        CONTAINERS_REGISTRIES_CONF="$WORK/podman/registries.conf" "$@"
}

podman_rootless_eng() { podman_rootless_as timeout -k 5 "${ENGINE_TIMEOUT:-60}" podman "$@"; }

# Where the user's podman cannot run: no such user, no user namespaces, no newuidmap or no
# /etc/subuid range for it (podman maps the range into its namespace).
podman_rootless_lacks() {
    id -u "$PRL_USER" > /dev/null 2>&1 || { echo "no user $PRL_USER (set ROOTLESS_USER)"; return 0; }
    command -v newuidmap > /dev/null || { echo "no newuidmap (Debian package uidmap)"; return 0; }
    grep -qE "^($PRL_USER|$(id -u "$PRL_USER")):" /etc/subuid 2> /dev/null || { echo "/etc/subuid has no range for $PRL_USER"; return 0; }
    command -v setpriv > /dev/null || { echo "no setpriv (util-linux)"; return 0; }
    return 1
}

podman_rootless_up() {
    local why runroot=$PRL/xdg/containers
    if why=$(podman_rootless_lacks); then echo "rootless podman cannot run here: $why"; return 1; fi
    if [ ${#runroot} -gt $PRL_RUNROOT_MAX ]; then
        echo "rootless podman: the runroot $runroot is longer than $PRL_RUNROOT_MAX characters, which podman's container cleanup refuses"
        return 1
    fi
    mkdir -p "$WORK/podman" "$PRL/home" "$PRL/xdg" "$PRL/storage"
    conf_render registries.conf > "$WORK/podman/registries.conf" || return 1
    conf_render containers-rootless.conf > "$PRL/containers.conf" || return 1
    conf_render storage-rootless.conf > "$PRL/storage.conf" || return 1
    chown -R "$PRL_USER:" "$PRL"
    chmod 700 "$PRL/xdg"
    chmod 755 "$WORK"
    podman_rootless_as timeout 120 podman import -q "$WORK/rootfs.tar" "$IMAGE" > /dev/null
}

podman_rootless_down() {
    [ -d "$PRL" ] || return 0
    podman_rootless_eng rm -fa -t 0 > /dev/null 2>&1
    podman_rootless_eng system reset -f > /dev/null 2>&1
    # the pause process holding the user's namespace, if reset left it
    local pid
    pid=$(cat "$PRL/xdg/libpod/tmp/pause.pid" 2> /dev/null)
    if [ -n "$pid" ] && [ -d "/proc/$pid" ] && [ "$(stat -c %u "/proc/$pid")" = "$(id -u "$PRL_USER")" ]; then
        echo "killed the pause process $pid"
        kill -KILL "$pid" 2> /dev/null
    fi
    return 0
}

# The runtime's default root as the user: $XDG_RUNTIME_DIR/<runtime>.
podman_rootless_rt_root() { echo "$PRL/xdg/$1"; }

# ---- Docker (dockerd + its own containerd + containerd-shim-runc-v2) ----------------------------

docker_eng() { timeout -k 5 "${ENGINE_TIMEOUT:-60}" docker --host "unix://$WORK/docker/docker.sock" "$@"; }

docker_up() {
    mkdir -p "$WORK/docker"
    local args
    mapfile -t args < <(conf_render dockerd.args)
    # never start a dockerd on the host's default socket and data root
    [[ "${args[*]}" == *"--host=unix://$WORK/"* && "${args[*]}" == *"--data-root=$WORK/"* ]] || return 1
    docker_containerd_up || return 1
    args+=("--containerd=$WORK/docker/containerd/containerd.sock")
    setsid dockerd "${args[@]}" > "$WORK/docker/dockerd.log" 2>&1 < /dev/null &
    local i
    for i in $(seq 100); do
        docker_eng version >/dev/null 2>&1 && break
        sleep 0.2
    done
    docker_eng version >/dev/null 2>&1 || { tail -n 5 "$WORK/docker/dockerd.log" >&2; return 1; }
    docker_eng import "$WORK/rootfs.tar" "$IMAGE" >/dev/null
}

# docker_containerd_up: dockerd's own containerd (conf/containerd.toml with its paths under
# $WORK/docker/containerd), which docker_up passes with --containerd. Left to itself, dockerd
# 20.10 starts one only if /run/containerd/containerd.sock does not exist; on a host that runs
# a containerd it would put the run's containers into that containerd's `moby` namespace.
docker_containerd_up() {
    local d=$WORK/docker/containerd i
    mkdir -p "$d"
    conf_render containerd.toml | sed "s|$WORK/containerd/|$d/|g" > "$d/config.toml" || return 1
    setsid containerd --config "$d/config.toml" > "$d/containerd.log" 2>&1 < /dev/null &
    echo $! > "$d/containerd.pid"
    for i in $(seq 100); do
        ctr --address "$d/containerd.sock" version >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    tail -n 5 "$d/containerd.log" >&2
    return 1
}

docker_down() {
    if docker_eng version >/dev/null 2>&1; then
        docker_eng rm -f $(docker_eng ps -aq) >/dev/null 2>&1
        # `run --rm` removes asynchronously in the daemon: wait for it, or its shim outlives dockerd
        local i
        for i in $(seq 100); do
            [ -z "$(docker_eng ps -aq)" ] && break
            sleep 0.1
        done
        docker_eng rmi -f "$IMAGE" >/dev/null 2>&1
    fi
    stop_pidfile "$WORK/docker/dockerd.pid" dockerd
    stop_pidfile "$WORK/docker/containerd/containerd.pid" "dockerd's containerd"
    stop_shims
    remove_parent_cgroups docker
}

docker_rt_root() { echo "$WORK/docker/exec/runtime-runc/moby"; }

# ---- containerd (ctr, containerd-shim-runc-v2) -------------------------------------------------

CTR_NS=swiftlet-engines
ctr_eng() { timeout -k 5 "${ENGINE_TIMEOUT:-60}" ctr --address "$WORK/containerd/containerd.sock" --namespace "$CTR_NS" "$@"; }

containerd_up() {
    mkdir -p "$WORK/containerd"
    conf_render containerd.toml > "$WORK/containerd/config.toml" || return 1
    setsid containerd --config "$WORK/containerd/config.toml" > "$WORK/containerd/containerd.log" 2>&1 < /dev/null &
    echo $! > "$WORK/containerd/containerd.pid"
    local i
    for i in $(seq 100); do
        ctr_eng version >/dev/null 2>&1 && break
        sleep 0.2
    done
    ctr_eng version >/dev/null 2>&1 || { tail -n 5 "$WORK/containerd/containerd.log" >&2; return 1; }
    ctr_eng image import "$WORK/image-oci.tar" >/dev/null
}

# containerd_clear: every task (killed) and container of the test namespace removed.
containerd_clear() {
    local id
    for id in $(ctr_eng task ls -q 2>/dev/null); do ctr_eng task delete -f "$id"; done
    for id in $(ctr_eng container ls -q 2>/dev/null); do ctr_eng container rm "$id"; done
}

containerd_down() {
    if ctr_eng version >/dev/null 2>&1; then
        containerd_clear >/dev/null 2>&1
        ctr_eng image rm "$IMAGE" >/dev/null 2>&1
    fi
    stop_pidfile "$WORK/containerd/containerd.pid" containerd
    stop_shims
    # the namespace's parent cgroup (stop_shims takes care of /run/containerd)
    remove_parent_cgroups "$CTR_NS"
    return 0
}

containerd_rt_root() { echo "$WORK/containerd/runc-$1/$CTR_NS"; }

# stop_shims: a containerd-shim of this run that outlived its daemon (its container gone, the
# daemon stopped before it said so) is stopped by its pid, and the sockets that appeared in
# /run/containerd/s during the run (containerd 1.6 always puts its shims' there) and that no
# process holds any more are removed. Reported in the engine's down log. A shim that was there
# before the run, and a socket the host had, are never touched; nor is a socket a live process
# of another containerd holds.
stop_shims() {
    local f pid cmd killed=0
    for f in $(grep -lE "${WORK:0:1}[${WORK:1:1}]${WORK:2}" /proc/[0-9]*/cmdline 2>/dev/null); do
        cmd=$(tr '\0' ' ' < "$f" 2>/dev/null)
        [[ "$cmd" == *containerd-shim* ]] || continue
        pid=${f#/proc/}; pid=${pid%/cmdline}
        snapshot_proc_is_new "$pid" || continue
        echo "stopping shim $pid: $cmd"
        kill -KILL "$pid" 2>/dev/null && killed=1
    done
    [ $killed -eq 0 ] || sleep 0.2
    for f in $(snapshot_new containerd); do
        [[ "$f" == /run/containerd/s/* && -S "$f" ]] || continue
        snapshot_path_in_use "$f" && continue
        echo "removing shim socket $f"
        rm -f "$f"
    done
    # dockerd's containerd uses /run/containerd/s too; ctr makes /run/containerd/fifo
    snapshot_rmdir_new /run/containerd/s /run/containerd/fifo /run/containerd
}

# stop_pidfile FILE WHAT: TERM the daemon whose pid is in FILE, KILL it after 20 s.
stop_pidfile() {
    local pid
    pid=$(cat "$1" 2>/dev/null) || return 0
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid"
    local i
    for i in $(seq 200); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    echo "$2 (pid $pid) ignored TERM: killed" >&2
    kill -KILL "$pid"
}
