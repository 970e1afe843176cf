#!/usr/bin/env bash
# setup-venv.sh [DIR]: the Python environment of tests/kubernetes (default .venv-kubernetes in
# the repository): grpcio and grpcio-tools (protoc for lib/cri.proto) from PyPI, pinned.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${1:-.venv-kubernetes}
[ -x "$dir/bin/python" ] || python3 -m venv "$dir"
"$dir/bin/pip" install -q --disable-pip-version-check -r tests/kubernetes/requirements.txt
"$dir/bin/python" -c 'import grpc, grpc_tools'
