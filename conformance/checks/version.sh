# What the runtime says it is: `--version` in runc's layout (`NAME version V`, then `key:
# value` lines: commit, spec, libseccomp), which `docker info` parses and `podman info` shows,
# and which must agree with `features` (runtime-spec features.md: ociVersionMax, and the
# annotations that name the implementation's version).

# _version: `--version` into VERSION_OUT (it must exit 0).
_version() {
    expect_exit 0 rt --version
    VERSION_OUT=$OUT
}

# _version_field KEY: the value of the first `KEY: value` line of VERSION_OUT.
_version_field() {
    sed -n "s/^$1: //p" <<< "$VERSION_OUT" | head -n 1
}

# _features: `features` into FEATURES (a JSON object).
_features() {
    expect_exit 0 rt features
    FEATURES=$OUT
    jq -e 'type == "object"' <<< "$FEATURES" > /dev/null || fail "features is not a JSON object: $FEATURES"
}

# runc CLI `--version`: the first line is `NAME version VERSION`, and there are a non-empty
# `commit:` line and a SemVer `spec:` line.
version_layout() {
    _version
    expect_match "$(head -n 1 <<< "$VERSION_OUT")" "^$RUNTIME_NAME version [^ ]+\$" "first line of --version"
    expect_match "$(_version_field commit)" '^[^ ]+$' "commit: line of --version"
    expect_match "$(_version_field spec)" '^[0-9]+\.[0-9]+\.[0-9]+' "spec: line of --version"
}
check layout version_layout

# features.md#ociversionmax: the spec version `--version` names is the newest one `features`
# says the runtime implements.
version_spec_is_features_max() {
    _version
    _features
    expect_eq "$(_version_field spec)" "$(jq -r '.ociVersionMax | strings' <<< "$FEATURES")" \
        "spec: line of --version against features' ociVersionMax"
}
check spec_is_features_max version_spec_is_features_max

# features.md (annotations, io.github.seccomp.libseccomp.version): a runtime that compiles
# seccomp filters names its libseccomp in `--version`, the same one `features` names.
version_libseccomp() {
    _features
    [ "$(jq -r '.linux.seccomp.enabled' <<< "$FEATURES")" = true ] ||
        skip "this runtime build has no seccomp support (features: linux.seccomp.enabled is not true)"
    _version
    local named
    named=$(jq -r '.annotations["io.github.seccomp.libseccomp.version"] // empty' <<< "$FEATURES")
    expect_match "$(_version_field libseccomp)" '^[0-9]+\.[0-9]+\.[0-9]+$' "libseccomp: line of --version"
    [ -z "$named" ] || expect_eq "$(_version_field libseccomp)" "$named" \
        "libseccomp: line of --version against features' io.github.seccomp.libseccomp.version"
}
check libseccomp version_libseccomp

# features.md#annotations ("such as the implementation version"): the version and commit
# `--version` prints are values of `features` annotations (runc: org.opencontainers.runc.version
# and .commit), so one can be matched to the other.
version_in_features() {
    _version
    _features
    local version commit values
    version=$(head -n 1 <<< "$VERSION_OUT" | awk '{ print $3 }')
    commit=$(_version_field commit)
    values=$(jq -r '.annotations // {} | .[]' <<< "$FEATURES")
    grep -qxF -- "$version" <<< "$values" || fail "version '$version' of --version is no features annotation's value: $values"
    [ -n "$commit" ] || fail "--version has no commit: line"
    grep -qxF -- "$commit" <<< "$values" || fail "commit '$commit' of --version is no features annotation's value: $values"
}
check in_features version_in_features
