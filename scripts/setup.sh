#!/usr/bin/env bash
# Installs the Debian packages swiftlet builds and tests with (idempotent), then builds
# swiftlet and swiftlet-init in release mode into .build/release/.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(libseccomp-dev libcap-dev pkg-config musl-dev gcc libc6-dev busybox-static runc crun jq iproute2 procps util-linux python3 apparmor
          podman conmon containernetworking-plugins catatonit containerd docker.io bsdutils  # tests/engines
          binutils gzip man-db  # scripts/package-deb.sh, tests/package
          python3-venv  # tests/kubernetes (grpcio from PyPI in a venv)
          uidmap  # newuidmap/newgidmap: rootless containers with several id ranges (docs/rootless.md)
          criu)  # checkpoint/restore (docs/checkpoint.md; the VM guest uses the host's binary)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The rootless checks (conformance/checks/rootless.sh) run the runtime as $ROOTLESS_USER
# (default cloudsdk); with several id ranges they need one in /etc/subuid and /etc/subgid.
# Give that user one where it has none (the range after podman's usual first user's, so it
# overlaps neither that nor the 100000-165535 of `spec --hardened`).
rootless_user=${ROOTLESS_USER:-cloudsdk}
if id -u "$rootless_user" > /dev/null 2>&1 && [ "$(id -u "$rootless_user")" -ne 0 ]; then
    owner="^($rootless_user|$(id -u "$rootless_user")):"
    grep -qE "$owner" /etc/subuid 2> /dev/null || usermod --add-subuids 231072-296607 "$rootless_user"
    grep -qE "$owner" /etc/subgid 2> /dev/null || usermod --add-subgids 231072-296607 "$rootless_user"
fi
# The VM of the cgroup v2 + AppArmor tests: its packages, virtme-ng and the kernel, cached
# in /var/lib/swiftlet-vm (the package list lives in conformance/vm/run only). A machine
# that cannot have it prints `VM: SKIPPED (reason)`, which is not a setup failure.
# tests/kubernetes: grpcio and grpcio-tools from PyPI in .venv-kubernetes (pinned).
tests/kubernetes/setup-venv.sh || echo "setup: no Python environment for tests/kubernetes (PyPI unreachable?); its run will retry"
conformance/vm/run --setup || echo "setup: the VM is not available here; scripts/test.sh will skip it"
scripts/build-release.sh
ls -l .build/release/swiftlet .build/release/swiftlet-init
