#!/usr/bin/env bash
# Builds the simulated cluster's binaries from Go modules (never release downloads).
# Outputs are cached outside the repo, keyed by component and version:
#   $SIM_CACHE/<component>-<version>/bin/...
# Usage: build.sh [component ...]   components: kubernetes etcd kwok gateway-api (default: all)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/sim/versions.sh
source "$here/versions.sh"

SIM_CACHE=${SIM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ai-conformance-rke2/sim}
export GOFLAGS="-mod=mod -buildvcs=false"
export CGO_ENABLED=0

log() { printf '[sim-build] %s\n' "$*" >&2; }

# Runs a go build, and on failure names the module and the first compiler error.
go_build() {
  local module=$1; shift
  local out
  if ! out=$("$@" 2>&1); then
    local first
    first=$(printf '%s\n' "$out" | grep -m1 -E '\.go:[0-9]+:[0-9]+: |^go: |cannot|error' || printf '%s\n' "$out" | head -n 1)
    log "go build of $module failed: $first"
    printf '%s\n' "$out" | tail -n 20 >&2
    return 1
  fi
}

module_dir() {  # the extracted module zip in the module cache
  GOFLAGS= go mod download -json "$1" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("Dir") or sys.exit(d.get("Error")))'
}

check_version() {
  local v=$1 ok
  for ok in "${SIM_K8S_SUPPORTED[@]}"; do [[ $v == "$ok" ]] && return 0; done
  log "unsupported Kubernetes version '$v'; supported: ${SIM_K8S_SUPPORTED[*]}"
  exit 2
}

build_kubernetes() {
  local v=${SIM_K8S_VERSION}
  local dest="$SIM_CACHE/kubernetes-$v"
  check_version "$v"
  if [[ -x $dest/bin/kube-apiserver && -x $dest/bin/kube-controller-manager && -x $dest/bin/kube-scheduler ]]; then
    log "kubernetes $v cached in $dest"; return 0
  fi
  local t0=$SECONDS minor=${v#v1.}
  minor=${minor%%.*}
  local patch=${v##*.}
  local work="$dest/src"
  mkdir -p "$work" "$dest/bin"
  log "building kube-apiserver, kube-controller-manager, kube-scheduler $v from k8s.io/kubernetes (cold build takes 15-30 min on 2 cores)"
  # k8s.io/kubernetes requires its staging modules at v0.0.0: a wrapper module replaces each one
  # with the published v0.<minor>.<patch> (the same technique cluster-autoscaler uses).
  local gomod
  gomod=$(cd "$work" && go mod download -json "k8s.io/kubernetes@$v" | python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')
  {
    echo "module ai-conformance.invalid/simk8s"
    grep -E '^(go|godebug) ' "$gomod"
    echo "require k8s.io/kubernetes $v"
    grep -oE 'k8s.io/[a-z0-9-]+ => ./staging/src/k8s.io/[a-z0-9-]+' "$gomod" | awk -v ver="v0.$minor.$patch" '{print "replace " $1 " => " $1 " " ver}'
  } > "$work/go.mod"
  cat > "$work/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
GO
  (cd "$work" && go_build k8s.io/kubernetes go mod tidy)
  local pkg=k8s.io/component-base/version
  local ldf="-s -w -X $pkg.gitVersion=$v -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean -X $pkg.gitCommit=0000000000000000000000000000000000000000 -X $pkg.buildDate=2026-01-01T00:00:00Z"
  ldf+=" -X k8s.io/client-go/pkg/version.gitVersion=$v -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$minor"
  (cd "$work" && go_build k8s.io/kubernetes go build -trimpath -ldflags "$ldf" -o "$dest/bin/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler)
  log "kubernetes $v built in $((SECONDS - t0)) s"
}

build_etcd() {
  local v=${SIM_ETCD_VERSION}
  local dest="$SIM_CACHE/etcd-$v"
  if [[ -x $dest/bin/etcd ]]; then log "etcd $v cached in $dest"; return 0; fi
  local t0=$SECONDS work="$dest/src"
  mkdir -p "$work" "$dest/bin"
  log "building etcd $v from go.etcd.io/etcd/server/v3"
  # server/v3 carries replace directives, so `go install` refuses it; a 3-line main does what etcd's own does.
  cat > "$work/go.mod" <<MOD
module ai-conformance.invalid/simetcd
go 1.26
require go.etcd.io/etcd/server/v3 $v
MOD
  cat > "$work/main.go" <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  (cd "$work" && go_build go.etcd.io/etcd/server/v3 go mod tidy && go_build go.etcd.io/etcd/server/v3 go build -trimpath -ldflags "-s -w" -o "$dest/bin/etcd" .)
  log "etcd $v built in $((SECONDS - t0)) s"
}

build_kwok() {
  local v=${SIM_KWOK_VERSION}
  local dest="$SIM_CACHE/kwok-$v"
  if [[ -x $dest/bin/kwok ]]; then log "kwok $v cached in $dest"; return 0; fi
  local t0=$SECONDS
  mkdir -p "$dest/bin"
  log "building kwok $v from sigs.k8s.io/kwok"
  go_build sigs.k8s.io/kwok env GOBIN="$dest/bin" GOFLAGS=-buildvcs=false go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$v"
  # Stage definitions ship in the module zip; copy the ones the sim uses next to the binary.
  local moddir
  moddir=$(module_dir "sigs.k8s.io/kwok@$v")
  mkdir -p "$dest/stages"
  cp "$moddir"/kustomize/stage/node/fast/node-initialize.yaml \
     "$moddir"/kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
     "$moddir"/kustomize/stage/pod/fast/pod-*.yaml "$dest/stages/"
  log "kwok $v built in $((SECONDS - t0)) s"
}

build_gateway_api() {
  local v=${SIM_GATEWAY_API_VERSION}
  local dest="$SIM_CACHE/gateway-api-$v"
  if [[ -d $dest/standard ]]; then log "gateway-api $v CRDs cached in $dest"; return 0; fi
  local moddir
  moddir=$(module_dir "sigs.k8s.io/gateway-api@$v")
  mkdir -p "$dest/standard"
  cp "$moddir"/config/crd/standard/*.yaml "$dest/standard/"
  log "gateway-api $v standard-channel CRDs copied to $dest/standard"
}

main() {
  local components=("$@") c
  [[ ${#components[@]} -gt 0 ]] || components=(kubernetes etcd kwok gateway-api)
  for c in "${components[@]}"; do
    case $c in
      kubernetes|etcd|kwok) "build_$c" ;;
      gateway-api) build_gateway_api ;;
      *) log "unknown component '$c'"; exit 2 ;;
    esac
  done
}

# Sourcing (tests) defines the functions only.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then main "$@"; fi
