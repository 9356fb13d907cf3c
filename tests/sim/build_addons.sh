#!/usr/bin/env bash
# Builds the simulated cluster's add-on controllers from Go modules — never release binaries. Outputs are cached outside the repo, keyed by version:
#   $SIM_CACHE/<component>-<version>/bin/...
# Usage: build_addons.sh component...   components: cluster-autoscaler traefik kueue prometheus-adapter prometheus-server
# Run one at a time on small machines: each cold Go build takes minutes and ~2 GiB of memory.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/sim/addons/versions.sh
source "$here/addons/versions.sh"

# Shared with the control-plane build: SIM_CACHE, Go flags, log, go_build (names the module and the
# first compiler error on failure), module_dir.
# shellcheck source=tests/sim/build.sh
source "$here/build.sh"

# reconstruct_ca_apis SERVED_APIS_DIR DEST: see build_cluster-autoscaler.
reconstruct_ca_apis() {
  local from=$1 dest=$2 pr
  rm -rf "$dest" && cp -r "$from" "$dest" && chmod -R u+w "$dest"
  rm -f "$dest/go.sum"
  find "$dest" -depth -type d -name v1beta1 -path '*provisioningrequest*' | while read -r d; do
    cp -r "$d" "$(dirname "$d")/v1"
  done
  # In the copies and in the group-level client, informer and scheme files (which then serve v1, CA's
  # only use): the import alias v1beta1 becomes provreqv1 (a plain v1 would clash with meta/v1), then
  # every remaining v1beta1 in paths, package clauses and names becomes v1.
  grep -rlZ --include='*.go' -e 'v1beta1' -e 'V1beta1' "$dest/provisioningrequest" | grep -zv '/v1beta1/' | \
    xargs -0 -r perl -pi -e 's/^(\s*)v1beta1 "/$1provreqv1 "/; s/\bv1beta1\./provreqv1./g; s/v1beta1/v1/g; s/V1beta1/V1/g'
  pr="$dest/provisioningrequest/autoscaling.x-k8s.io/v1"
  cat > "$pr/zz_sim_annotations.go" <<'GO'
// Reconstructed by tests/sim/build_addons.sh (ai_conformance.rke2 simulated cluster), not upstream code:
// the values are those cluster-autoscaler's FAQ.md and proposals/provisioning-request.md document.
package v1

const (
	// ProvisioningRequestPodAnnotationKey marks pods consuming a ProvisioningRequest.
	ProvisioningRequestPodAnnotationKey = "autoscaling.x-k8s.io/consume-provisioning-request"
	// ProvisioningClassPodAnnotationKey names the provisioning class of such pods.
	ProvisioningClassPodAnnotationKey = "autoscaling.x-k8s.io/provisioning-class-name"
)
GO
}

build_cluster-autoscaler() {
  local v=$ADDON_CA_VERSION dest="$SIM_CACHE/cluster-autoscaler-$ADDON_CA_VERSION"
  [[ -x $dest/bin/cluster-autoscaler ]] && { log "cluster-autoscaler cached in $dest"; return 0; }
  local t0=$SECONDS work="$dest/src" mod=k8s.io/autoscaler/cluster-autoscaler
  mkdir -p "$work" "$dest/bin"
  log "building cluster-autoscaler ($mod@$v, kwok provider only: -tags kwok)"
  # The checksum database has no record of this pseudo-version (lookup answers 404), so it is exempted
  # from the lookup and go.sum is seeded with the hash pinned in versions.sh, which the download must match.
  export GONOSUMDB=$mod
  printf '%s %s %s\n' "$mod" "$v" "$ADDON_CA_SUM" > "$work/go.sum"
  local src
  src=$(cd "$work" && module_dir "$mod@$v")
  # CA's own go.mod replaces every k8s.io staging module (required at v0.0.0) with a published version and
  # its nested apis module with ./apis; replace only applies in the main module, so a wrapper copies them.
  # The nested module at this commit is not on the proxy, and the served version CA's go.mod names
  # (d52e4b9665d7) only has ProvisioningRequest v1beta1 while CA imports v1 (a promotion with identical
  # types). reconstruct_ca_apis derives ./apis from the served module: v1beta1 packages copied as v1, plus
  # the two pod annotation keys whose values CA's own FAQ.md and proposals/provisioning-request.md state.
  # Only CA's ProvisioningRequest support uses them, and it stays off (--enable-provisioning-requests=false).
  local apis_v
  apis_v=$(grep -oE 'k8s.io/autoscaler/cluster-autoscaler/apis v[^ ]+' "$src/go.mod" | head -n1 | cut -d' ' -f2)
  reconstruct_ca_apis "$(module_dir "$mod/apis@$apis_v")" "$work/apis"
  {
    echo "module ai-conformance.invalid/simca"
    grep -E '^go ' "$src/go.mod"
    echo "require $mod $v"
    echo "require $mod/apis $apis_v"
    echo "replace $mod/apis => ./apis"
    grep -E '^replace k8s.io/[a-z0-9-]+ => k8s.io/[a-z0-9-]+ v' "$src/go.mod"
  } > "$work/go.mod"
  # Only the kwok provider is compiled (builder_kwok.go), which keeps every cloud SDK out of the build.
  (cd "$work" && go_build "$mod" go build -trimpath -tags kwok -ldflags "-s -w" -o "$dest/bin/cluster-autoscaler" "$mod")
  grep -qF "$mod $v $ADDON_CA_SUM" "$work/go.sum" || { log "cluster-autoscaler module hash differs from the pinned $ADDON_CA_SUM"; rm -f "$dest/bin/cluster-autoscaler"; return 1; }
  log "cluster-autoscaler built in $((SECONDS - t0)) s"
}

build_traefik() {
  local v=$ADDON_TRAEFIK_VERSION dest="$SIM_CACHE/traefik-$ADDON_TRAEFIK_VERSION"
  [[ -x $dest/bin/traefik ]] && { log "traefik cached in $dest"; return 0; }
  local t0=$SECONDS work="$dest/src" mod=github.com/traefik/traefik/v3
  mkdir -p "$work" "$dest/bin"
  log "building traefik $v ($mod/cmd/traefik)"
  local src
  src=$(cd "$work" && module_dir "$mod@$v")
  # The module zip lacks webui/static (built by the web UI's npm job), which `//go:embed static` needs:
  # build from a copy of the module with an empty placeholder there. The dashboard is not used.
  rm -rf "$work/traefik"
  cp -r "$src" "$work/traefik" && chmod -R u+w "$work/traefik"
  mkdir -p "$work/traefik/webui/static"
  echo "Web UI assets are not part of the Go module; the simulated cluster runs Traefik without its dashboard." \
    > "$work/traefik/webui/static/README.txt"
  {
    echo "module ai-conformance.invalid/simtraefik"
    grep -E '^go ' "$src/go.mod"
    echo "require $mod $v"
    echo "replace $mod => ./traefik"
    sed -n '/^replace (/,/^)/p' "$src/go.mod"
    grep -E '^exclude ' "$src/go.mod"
  } > "$work/go.mod"
  cp "$src/go.sum" "$work/go.sum"
  (cd "$work" && go_build "$mod" go build -trimpath -ldflags "-s -w -X $mod/pkg/version.Version=$v" \
      -o "$dest/bin/traefik" "$mod/cmd/traefik")
  log "traefik built in $((SECONDS - t0)) s"
}

build_kueue() {
  local v=$ADDON_KUEUE_VERSION dest="$SIM_CACHE/kueue-$ADDON_KUEUE_VERSION"
  [[ -x $dest/bin/kueue ]] && { log "kueue cached in $dest"; return 0; }
  local t0=$SECONDS mod=sigs.k8s.io/kueue
  mkdir -p "$dest/bin"
  log "building kueue $v ($mod/cmd/kueue)"
  # No replace directives in kueue's go.mod, so `go install pkg@version` works as is.
  go_build "$mod" env GOBIN="$dest/bin" GOFLAGS=-buildvcs=false go install -trimpath \
    -ldflags "-s -w -X $mod/pkg/version.GitVersion=$v" "$mod/cmd/kueue@$v"
  # CRDs and webhook configurations ship in the module zip.
  local src
  src=$(module_dir "$mod@$v")
  rm -rf "$dest/config" && mkdir -p "$dest/config/crd"
  cp "$src"/config/components/crd/bases/*.yaml "$dest/config/crd/"
  cp "$src"/config/components/webhook/manifests.yaml "$dest/config/webhooks.yaml"
  cp "$src"/config/components/rbac/role.yaml "$dest/config/role.yaml" 2>/dev/null || true
  log "kueue built in $((SECONDS - t0)) s"
}

build_prometheus-adapter() {
  local v=$ADDON_PROMETHEUS_ADAPTER_VERSION dest="$SIM_CACHE/prometheus-adapter-$ADDON_PROMETHEUS_ADAPTER_VERSION"
  [[ -x $dest/bin/adapter ]] && { log "prometheus-adapter cached in $dest"; return 0; }
  local t0=$SECONDS mod=sigs.k8s.io/prometheus-adapter work="$dest/src"
  mkdir -p "$work" "$dest/bin"
  log "building prometheus-adapter $v ($mod/cmd/adapter)"
  # `go install pkg@version` would read the module's version list for deprecations, which the proxy
  # refuses (403) for this module; a wrapper module requiring the served version builds the same code.
  local src
  src=$(cd "$work" && module_dir "$mod@$v")
  { echo "module ai-conformance.invalid/simadapter"; grep -E '^go ' "$src/go.mod"; echo "require $mod $v"; } > "$work/go.mod"
  cp "$src/go.sum" "$work/go.sum"
  (cd "$work" && go_build "$mod" go build -trimpath -ldflags "-s -w" -o "$dest/bin/adapter" "$mod/cmd/adapter")
  log "prometheus-adapter built in $((SECONDS - t0)) s"
}

build_prometheus-server() {
  local v=$ADDON_PROMETHEUS_VERSION dest="$SIM_CACHE/prometheus-server-$ADDON_PROMETHEUS_VERSION"
  [[ -x $dest/bin/prometheus ]] && { log "prometheus $v cached in $dest"; return 0; }
  local t0=$SECONDS mod=github.com/prometheus/prometheus
  mkdir -p "$dest/bin"
  log "building prometheus $v ($mod/cmd/prometheus, Kubernetes service discovery only)"
  # Prometheus's plugins/ build tags: remove_all_sd drops every service discovery but the ones enabled
  # back (enable_kubernetes_sd); static and file SD are always in. The web UI assets are not embedded
  # (no builtinassets tag): the HTTP API is all the simulated cluster uses.
  go_build "$mod" env GOBIN="$dest/bin" GOFLAGS=-buildvcs=false go install -trimpath \
    -tags remove_all_sd,enable_kubernetes_sd \
    -ldflags "-s -w -X github.com/prometheus/common/version.Version=$ADDON_PROMETHEUS_RELEASE -X github.com/prometheus/common/version.Branch=module-$v" \
    "$mod/cmd/prometheus@$v"
  log "prometheus built in $((SECONDS - t0)) s"
}

build_kuberay() {
  local v=$ADDON_KUBERAY_VERSION dest="$SIM_CACHE/kuberay-$ADDON_KUBERAY_VERSION"
  [[ -x $dest/bin/ray-operator ]] && { log "kuberay cached in $dest"; return 0; }
  local t0=$SECONDS mod=github.com/ray-project/kuberay/ray-operator
  mkdir -p "$dest/bin"
  log "building KubeRay ray-operator $v ($mod)"
  go_build "$mod" env GOBIN="$dest/bin" GOFLAGS=-buildvcs=false go install -trimpath -ldflags "-s -w" "$mod@$v"
  # CRDs and the validating webhook configuration ship in the module zip.
  local src
  src=$(module_dir "$mod@$v")
  rm -rf "$dest/config" && mkdir -p "$dest/config/crd"
  cp "$src"/config/crd/bases/*.yaml "$dest/config/crd/"
  cp "$src"/config/webhook/manifests.yaml "$dest/config/webhooks.yaml"
  log "kuberay built in $((SECONDS - t0)) s"
}

[[ $# -gt 0 ]] || { log "usage: $0 cluster-autoscaler|traefik|kueue|prometheus-adapter|prometheus-server|kuberay ..."; exit 2; }
for c in "$@"; do
  case $c in
    cluster-autoscaler|traefik|kueue|prometheus-adapter|prometheus-server|kuberay) "build_$c" ;;
    *) log "unknown component '$c'"; exit 2 ;;
  esac
done
