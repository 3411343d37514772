#!/usr/bin/env bash
# Renders every environment of the imported corpus with driftgate (a release build of this
# checkout) and compares it byte for byte with helm's recorded output. Prints a per-chart table
# (also written to the cache as table.md); per-environment diffs go to <cache>/charts/ID/driftgate/ENV.diff.
#
#   scripts/corpus/compare.sh [ID...]     (NO_BUILD=1 skips cargo build)
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "${NO_BUILD:-}" = 1 ] || cargo build --release --quiet
exec python3 scripts/corpus/corpus.py compare "$@"
