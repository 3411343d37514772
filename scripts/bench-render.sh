#!/usr/bin/env bash
# Times driftgate and the Helm 4 engine rendering the same large generated chart, in one run,
# and writes the result to testdata/conformance/reports/speed.md (the "Speed" section of
# docs/conformance.md; refresh that with `DRIFTGATE_BLESS=1 cargo test --test conformance`).
#
# Usage: HELM4_PYTHON=/tmp/helm4/bin/python scripts/bench-render.sh [RUNS]
#
# HELM4_PYTHON is a Python that has helm-python-sdk (see scripts/helm4-compare.py).
# driftgate is timed in-process through the library (`cargo bench --bench render`, release
# profile): load, parse, render, sort and print, as `driftgate template` does. Helm 4 is timed
# in-process too: `Chart.load(dir).render(values)` (load, parse, render; no sorting or printing).
# Both report the median of RUNS runs (default 15) after one warm-up run.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-15}
python=${HELM4_PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chart="$work/chart"

cd "$repo"
bench_cmd="cargo bench --bench render -- --runs $runs --keep <dir>"
driftgate_out=$(cargo bench --quiet --bench render -- --runs "$runs" --keep "$chart" --output "$work/driftgate.yaml")
echo "$driftgate_out"

helm4_out=$("$python" - "$chart" "$runs" <<'PY'
import statistics, sys, time
import helm_python as helm
chart, runs = sys.argv[1], int(sys.argv[2])
def once():
    return helm.Chart.load(chart).render(None, name="bench", namespace="bench")
out = once()  # warm-up
times = []
for _ in range(runs):
    start = time.perf_counter()
    once()
    times.append((time.perf_counter() - start) * 1000)
times.sort()
size = sum(len(t) for t in out.values())
print(f"helm 4 render (helm-python-sdk {helm.__version__}, Helm SDK {helm.helm_sdk_version()}): "
      f"median {statistics.median(times):.1f} ms, min {times[0]:.1f} ms, max {times[-1]:.1f} ms "
      f"over {runs} runs ({len(out)} templates, {size // 1024} KiB of output)")
PY
)
echo "$helm4_out"

# The speed only counts if the output is right: compare with helm v3.17.2 on the same chart.
helm3=$("$repo/scripts/helm-oracle.sh")
HELM_CACHE_HOME="$work/h" HELM_CONFIG_HOME="$work/h" HELM_DATA_HOME="$work/h" KUBECONFIG="$work/h/kubeconfig" \
    "$helm3" template bench "$chart" --namespace bench --kube-version 1.31.0 >"$work/helm3.yaml"
# For reference: the helm v3.17.2 command itself (a new process each run: start-up, loading,
# rendering, sorting, printing).
helm3_ms=()
for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    HELM_CACHE_HOME="$work/h" HELM_CONFIG_HOME="$work/h" HELM_DATA_HOME="$work/h" KUBECONFIG="$work/h/kubeconfig" \
        "$helm3" template bench "$chart" --namespace bench --kube-version 1.31.0 >/dev/null
    helm3_ms+=($(( ($(date +%s%N) - start) / 1000000 )))
done
helm3_out="helm v3.17.2 \`helm template\` command: median $(printf '%s\n' "${helm3_ms[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') ms over $runs runs"
echo "$helm3_out"

if cmp -s "$work/driftgate.yaml" "$work/helm3.yaml"; then
    same="driftgate's output is byte-identical to \`helm template\` v3.17.2 on this chart ($(wc -c <"$work/helm3.yaml") bytes)."
else
    same="driftgate's output DIFFERS from \`helm template\` v3.17.2 on this chart."
fi
echo "$same"

d_ms=$(sed -n 's/^driftgate render: median \([0-9.]*\) ms.*/\1/p' <<<"$driftgate_out")
h_ms=$(sed -n 's/^helm 4 render.*median \([0-9.]*\) ms.*/\1/p' <<<"$helm4_out")
ratio=$(awk -v d="$d_ms" -v h="$h_ms" 'BEGIN { if (d > 0) printf "%.1f", h / d; else print "?" }')
cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)

mkdir -p testdata/conformance/reports
{
    echo "Measured by \`scripts/bench-render.sh $runs\` on $(date -u +%Y-%m-%d), $(nproc) cores ($cpu), both engines"
    echo "in the same run on the same generated chart (\`benches/render.rs\` writes it; driftgate"
    echo "through \`$bench_cmd\`, Helm 4 through helm-python-sdk's \`Chart.load(dir).render()\`)."
    echo
    echo '```'
    grep -v '^chart kept in' <<<"$driftgate_out"
    echo "$helm4_out"
    echo '```'
    echo
    echo "For reference, $helm3_out (wall clock of the whole process)."
    echo
    echo "driftgate's median is ${ratio}x faster than the Helm 4 engine's on this chart. driftgate's"
    echo "time includes sorting and printing the manifests, which the SDK's render does not do; the"
    echo "SDK's includes handing the rendered text to Python as JSON through its C interface."
    echo "$same"
    echo
    echo "The machine is shared, so single numbers vary from run to run by up to half; compare"
    echo "the two engines within one run."
} >testdata/conformance/reports/speed.md
cat testdata/conformance/reports/speed.md
