# Bundles: a directory with config.json made from lib/base-config.json (shaped like
# `runc spec`'s default, with terminal false), edited with jq. Sourced by conformance/run
# after lib/check.sh.
#
# The rootfs is shared: root.path is the absolute path of the per-run busybox rootfs
# ($ROOTFS) and root.readonly is true, so containers cannot write into it. A check that
# must write to / (or have the runtime create files in the rootfs) takes a private copy
# with bundle_private_rootfs.
#
#   bundle_new [NAME]        new bundle $T/NAME (default c), container id in ID; sets
#                            BUNDLE and CONFIG; the id is cleaned up when the check ends
#   bundle_set [JQ-OPTS] FILTER   edits config.json: bundle_set '.process.cwd = "/tmp"'
#                            or bundle_set --arg p "$dir" '.root.path = $p'
#   bundle_args ARG...       process.args
#   bundle_sh SCRIPT         process.args = ["sh", "-c", SCRIPT]
#   bundle_mount DEST TYPE SOURCE [OPTION...]   appends to mounts
#   bundle_ns_remove TYPE    drops a namespace type
#   bundle_ns_add TYPE [PATH]  adds (or replaces) a namespace, joining PATH if given
#   bundle_add_caps CAP...   adds capabilities to every set the config lists
#   bundle_private_rootfs    copies the rootfs into the bundle (root.path "rootfs")
#   bundle_use NAME          makes an earlier bundle of this check current again

BASE_CONFIG=${BASE_CONFIG:-$CONF_DIR/lib/base-config.json}

# A kernel without POSIX message queues (CONFIG_POSIX_MQUEUE off) cannot mount the base
# config's /dev/mqueue: bundles leave it out there (mounts/default_filesystems reports the skip).
BUNDLE_NO_MQUEUE=false
host_has_fs mqueue || BUNDLE_NO_MQUEUE=true

bundle_new() {
    local name=${1:-c}
    ID="$RUN_ID-$CHECK_NO-$name"
    BUNDLE="$T/$name"
    CONFIG="$BUNDLE/config.json"
    mkdir -p "$BUNDLE" || fail "cannot create bundle $BUNDLE"
    jq --arg root "$ROOTFS" \
        --arg cg "/swiftlet-conformance/$ID" \
        --arg mark "SWIFTLET_CONFORMANCE=$MARK" --argjson nomq "$BUNDLE_NO_MQUEUE" \
        '.root.path = $root | .linux.cgroupsPath = $cg | .process.env += [$mark]
         | if $nomq then .mounts |= map(select(.type != "mqueue")) else . end' \
        "$BASE_CONFIG" > "$CONFIG" || fail "cannot write $CONFIG"
    CHECK_IDS+=("$ID")
}

bundle_use() {
    ID="$RUN_ID-$CHECK_NO-$1"
    BUNDLE="$T/$1"
    CONFIG="$BUNDLE/config.json"
    [ -f "$CONFIG" ] || fail "bundle_use: no bundle $1"
}

bundle_set() {
    jq "$@" "$CONFIG" > "$CONFIG.new" || fail "bundle_set: jq $* failed"
    mv "$CONFIG.new" "$CONFIG"
}

bundle_args() {
    local args
    args=$(json_array "$@") || fail "bundle_args: jq failed"
    bundle_set --argjson a "$args" '.process.args = $a'
}

# json_array STRING...: prints a JSON array of the strings. (jq --args would take
# strings such as -c for its own options.)
json_array() {
    local opts=() refs=() i=0 a
    for a in "$@"; do
        opts+=(--arg "a$i" "$a")
        refs+=("\$a$i")
        i=$((i + 1))
    done
    local IFS=,
    jq -nc "${opts[@]}" "[${refs[*]}]"
}

bundle_sh() {
    bundle_args sh -c "$1"
}

bundle_mount() {
    local dest=$1 type=$2 src=$3
    shift 3
    local opts
    opts=$(json_array "$@") || fail "bundle_mount: jq failed"
    bundle_set --arg d "$dest" --arg t "$type" --arg s "$src" --argjson o "$opts" \
        '.mounts += [{destination: $d, type: $t, source: $s, options: $o}]'
}

bundle_ns_remove() {
    bundle_set --arg t "$1" '.linux.namespaces |= map(select(.type != $t))'
}

bundle_ns_add() {
    bundle_ns_remove "$1"
    if [ $# -ge 2 ]; then
        bundle_set --arg t "$1" --arg p "$2" '.linux.namespaces += [{type: $t, path: $p}]'
    else
        bundle_set --arg t "$1" '.linux.namespaces += [{type: $t}]'
    fi
}

bundle_add_caps() {
    local caps
    caps=$(json_array "$@") || fail "bundle_add_caps: jq failed"
    bundle_set --argjson c "$caps" '.process.capabilities |= with_entries(.value += $c)'
}

bundle_private_rootfs() {
    cp -a "$ROOTFS" "$BUNDLE/rootfs" || fail "cannot copy the rootfs"
    bundle_set '.root.path = "rootfs"'
}
