#!/usr/bin/env bash
# runcheck.sh CHECKFILE FUNCTION: runs one check in this fresh bash process (the run file puts a
# timeout around it). Its exit status is the check's result; its stderr is the check's log.
set -u
ENGINES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ENGINES_DIR/lib/check.sh"
. "$ENGINES_DIR/lib/engines.sh"
cli_check() { :; }
ctr_check() { :; }
case $ENGINE in
    podman) podman_env; eng() { timeout -k 5 "$ENGINE_TIMEOUT" podman "$@"; } ;;
    podman-rootless) eng() { podman_rootless_eng "$@"; } ;;
    docker) eng() { docker_eng "$@"; } ;;
    containerd) eng() { ctr_eng "$@"; } ;;
esac
erun() { eng run --runtime "$RT" "$@"; }
. "$1"
"$2"
