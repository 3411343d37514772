#!/usr/bin/env bash
# Regenerates the expectations of the renderer conformance cases with the real helm v3.17.2
# (`expect`) and helm v4.1.4 (`expect4`, `outcome4`: only where Helm 4 prints something else).
#
# Usage: scripts/update-conformance.sh
#
# 1. tests/conformance.rs writes one chart per family (and one per error case) into a scratch
#    directory, exactly as the conformance test renders them;
# 2. both helms render each chart (`helm template`), stdout/stderr/exit code kept beside it
#    (`<chart>.out`, `.err`, `.rc` for helm 3, `<chart>.helm4.out`, ... for helm 4);
# 3. tests/conformance.rs writes helm's output into the `expect` fields of
#    testdata/conformance/*.yaml (and checks that error cases failed and the others rendered).
# Then run `DRIFTGATE_BLESS=1 cargo test --test conformance` to refresh docs/conformance.md,
# and review the diff.
set -euo pipefail
export RUST_BACKTRACE=0

repo=$(cd "$(dirname "$0")/.." && pwd)
helm=$("$repo/scripts/helm-oracle.sh")
helm4=$("$repo/scripts/helm-oracle.sh" 4)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# helm must not read the caller's configuration, repositories or cluster.
export HELM_CACHE_HOME="$work/helm/cache" HELM_CONFIG_HOME="$work/helm/config" \
    HELM_DATA_HOME="$work/helm/data" KUBECONFIG="$work/helm/kubeconfig" HELM_DEBUG=false
export DRIFTGATE_CONFORMANCE_OUT="$work/charts"
mkdir -p "$DRIFTGATE_CONFORMANCE_OUT"

cd "$repo"
cargo test --quiet --test conformance -- --ignored --exact emit_charts >/dev/null

while read -r chart release namespace kube; do
    rc=0
    "$helm" template "$release" "$DRIFTGATE_CONFORMANCE_OUT/$chart" --namespace "$namespace" \
        --kube-version "$kube" >"$DRIFTGATE_CONFORMANCE_OUT/$chart.out" \
        2>"$DRIFTGATE_CONFORMANCE_OUT/$chart.err" || rc=$?
    echo "$rc" >"$DRIFTGATE_CONFORMANCE_OUT/$chart.rc"
    rc=0
    "$helm4" template "$release" "$DRIFTGATE_CONFORMANCE_OUT/$chart" --namespace "$namespace" \
        --kube-version "$kube" >"$DRIFTGATE_CONFORMANCE_OUT/$chart.helm4.out" \
        2>"$DRIFTGATE_CONFORMANCE_OUT/$chart.helm4.err" || rc=$?
    echo "$rc" >"$DRIFTGATE_CONFORMANCE_OUT/$chart.helm4.rc"
done <"$DRIFTGATE_CONFORMANCE_OUT/charts.txt"

cargo test --quiet --test conformance -- --ignored --exact fill_expectations
echo "expectations written; now: DRIFTGATE_BLESS=1 cargo test --test conformance"
