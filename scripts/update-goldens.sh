#!/usr/bin/env bash
# Regenerates the goldens under testdata/render/ with the real helm v3.17.2 and helm v4.1.4.
#
# Usage: scripts/update-goldens.sh [CASE...]     (default: every case)
#
# Each case directory holds a case.yaml (see testdata/README.md). For a case that renders,
# helm's stdout is written to expected.yaml; for a case with `expect: error`, helm's stderr is
# written to expected-error.txt. A case whose outcome differs from its `expect` fails the run,
# so a fixture that silently stopped testing what it was written for is noticed.
# Then helm v4.1.4 renders the case too: where it prints something else than helm v3.17.2 (or
# fails where 3 renders, or the other way round), its stdout is written to expected-helm4.yaml
# or its stderr to expected-error-helm4.txt; where it prints the same, those files are removed.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
render_dir="$repo/testdata/render"
helm=$("$repo/scripts/helm-oracle.sh")
helm4=$("$repo/scripts/helm-oracle.sh" 4)

# helm must not read the caller's configuration, repositories or cluster.
isolated=$(mktemp -d)
trap 'rm -rf "$isolated"' EXIT
export HELM_CACHE_HOME="$isolated/cache" HELM_CONFIG_HOME="$isolated/config" \
    HELM_DATA_HOME="$isolated/data" KUBECONFIG="$isolated/kubeconfig" HELM_DEBUG=false

# Reads one top-level scalar of case.yaml: `key: value` (quotes removed).
case_scalar() {
    awk -v key="$2" '
        $0 ~ "^" key ":" {
            sub("^" key ":[ \t]*", ""); sub("[ \t]+#.*$", "")
            gsub(/^["\047]|["\047]$/, ""); print; exit
        }' "$1"
}

# Reads the `values:` list of case.yaml, one path a line (block `- x` items or flow `[a, b]`).
case_values() {
    awk '
        /^values:[ \t]*\[/ {
            line = $0; sub(/^values:[ \t]*\[/, "", line); sub(/\].*$/, "", line)
            n = split(line, items, ",")
            for (i = 1; i <= n; i++) { v = items[i]; gsub(/^[ \t"\047]+|[ \t"\047]+$/, "", v); if (v != "") print v }
            exit
        }
        /^values:/ { inlist = 1; next }
        inlist && /^[ \t]+-[ \t]/ { v = $0; sub(/^[ \t]+-[ \t]+/, "", v); sub(/[ \t]+#.*$/, "", v); gsub(/^["\047]|["\047]$/, "", v); print v; next }
        inlist && /^[^ \t#]/ { exit }
    ' "$1"
}

render_case() {
    local dir=$1 name
    name=$(basename "$dir")
    local release namespace kube chart expect
    release=$(case_scalar "$dir/case.yaml" release)
    namespace=$(case_scalar "$dir/case.yaml" namespace)
    kube=$(case_scalar "$dir/case.yaml" kubeVersion)
    chart=$(case_scalar "$dir/case.yaml" chart)
    expect=$(case_scalar "$dir/case.yaml" expect)
    : "${chart:=chart}" "${expect:=output}"
    if [ -z "$release" ] || [ -z "$namespace" ] || [ -z "$kube" ]; then
        echo "$name: case.yaml needs release, namespace and kubeVersion" >&2
        return 1
    fi

    local args=(template "$release" "$chart" --namespace "$namespace" --kube-version "$kube")
    [ "$(case_scalar "$dir/case.yaml" includeCrds)" = "true" ] && args+=(--include-crds)
    local values
    while IFS= read -r values; do
        [ -n "$values" ] && args+=(-f "$values")
    done < <(case_values "$dir/case.yaml")

    local out err rc=0
    out=$(mktemp) err=$(mktemp)
    (cd "$dir" && "$helm" "${args[@]}") >"$out" 2>"$err" || rc=$?

    case "$expect:$rc" in
        output:0)
            mv "$out" "$dir/expected.yaml"; rm -f "$err" "$dir/expected-error.txt" ;;
        error:0)
            echo "$name: expected helm to fail, it rendered" >&2; rm -f "$out" "$err"; return 1 ;;
        error:*)
            mv "$err" "$dir/expected-error.txt"; rm -f "$out" "$dir/expected.yaml" ;;
        *)
            echo "$name: helm failed (exit $rc):" >&2; cat "$err" >&2; rm -f "$out" "$err"; return 1 ;;
    esac

    local rc4=0 helm4_outcome
    out=$(mktemp) err=$(mktemp)
    (cd "$dir" && "$helm4" "${args[@]}") >"$out" 2>"$err" || rc4=$?
    rm -f "$dir/expected-helm4.yaml" "$dir/expected-error-helm4.txt"
    if [ "$rc4" -eq 0 ] && [ -f "$dir/expected.yaml" ] && cmp -s "$out" "$dir/expected.yaml"; then
        helm4_outcome=same
    elif [ "$rc4" -ne 0 ] && [ -f "$dir/expected-error.txt" ] && cmp -s "$err" "$dir/expected-error.txt"; then
        helm4_outcome=same
    elif [ "$rc4" -eq 0 ]; then
        mv "$out" "$dir/expected-helm4.yaml"; helm4_outcome="output differs"
    else
        mv "$err" "$dir/expected-error-helm4.txt"; helm4_outcome="error differs"
    fi
    rm -f "$out" "$err"
    echo "$name: ok ($expect; helm 4: $helm4_outcome)"
}

cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
    for d in "$render_dir"/*/; do cases+=("$(basename "$d")"); done
fi
failed=0
for c in "${cases[@]}"; do
    render_case "$render_dir/$c" || failed=1
done
exit $failed
