#!/usr/bin/env bash
# Rebuilds the corpus cache from the pinned commits in charts.tsv: exports each chart from its git
# mirror, vendors its dependencies, writes one values file per environment, and records what
# helm v3.17.2 prints for each (stdout, stderr, exit code).
#
#   scripts/corpus/import.sh [ID...]      (all charts without IDs)
#
# Mirrors: $DRIFTGATE_MIRRORS (default /work/.mirror). Cache: $DRIFTGATE_CORPUS_CACHE (default target/corpus).
set -euo pipefail
exec python3 "$(dirname "$0")/corpus.py" import "$@"
