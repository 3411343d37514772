#!/usr/bin/env bash
# Regenerates schemas/kubernetes/definitions.json.zst, the Kubernetes schemas driftgate bundles
# (rule DG101), from the PyPI package kubernetes-validate. Needs python3, pip and zstd; the
# build itself needs none of them.
#
#   scripts/update-k8s-schemas.sh [VERSION]     # default: the version in schemas/kubernetes/SOURCE
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out_dir="$root/schemas/kubernetes"
version="${1:-$(sed -n 's/^kubernetes-validate==//p' "$out_dir/SOURCE" 2>/dev/null || true)}"
version="${version:-1.37.0}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 -m pip download --quiet --no-deps --only-binary=:all: \
    "kubernetes-validate==$version" -d "$work"
wheel="$(ls "$work"/kubernetes_validate-*.whl)"

python3 "$root/scripts/k8s_schemas.py" "$wheel" "$work/definitions.json"
# No frame checksum: the decoder is built without hashing, and the file is in git.
zstd --quiet --force -19 --no-check "$work/definitions.json" -o "$out_dir/definitions.json.zst"

{
    echo "kubernetes-validate==$version"
    echo "sha256 $(sha256sum "$wheel" | cut -d' ' -f1)  $(basename "$wheel")"
} > "$out_dir/SOURCE"
echo "wrote $out_dir/definitions.json.zst ($(stat -c %s "$out_dir/definitions.json.zst") bytes)"
