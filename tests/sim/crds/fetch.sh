#!/usr/bin/env bash
# Copy the real CRD definitions of the component roles' custom kinds out of their Go modules (fetched
# through the Go module proxy with `go mod download`) into a cache outside the repo, keyed by version:
#   $CRD_CACHE/<name>-<version>/*.yaml      (default CRD_CACHE: ~/.cache/ai-conformance-rke2/crds)
# Prints one directory per line. Offline re-runs reuse the cache.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/sim/crds/versions.sh
source "$HERE/versions.sh"
CRD_CACHE=${CRD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ai-conformance-rke2/crds}
mkdir -p "$CRD_CACHE"
for entry in "${CRD_SOURCES[@]}"; do
  read -r name modver subdir glob <<<"$entry"
  version=${modver##*@}
  dest="$CRD_CACHE/$name-$version"
  if [[ ! -f "$dest/.complete" ]]; then
    echo "[crds] go mod download $modver" >&2
    # GOFLAGS=-mod=mod: works from any directory, no go.mod of ours needed.
    dir=$(cd "$CRD_CACHE" && GOFLAGS=-mod=mod go mod download -json "$modver" |
          python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("Dir") or sys.exit(d.get("Error","no Dir")))')
    rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
    # shellcheck disable=SC2086
    cp "$dir/$subdir"/$glob "$dest.tmp/"
    chmod u+w "$dest.tmp"/*
    touch "$dest.tmp/.complete"
    rm -rf "$dest" && mv "$dest.tmp" "$dest"
  fi
  echo "$dest"
done
