# Pinned versions of the simulated cluster's add-ons (tests/sim/addons). Bumping one rebuilds it into a
# new cache dir $SIM_CACHE/<name>-<version>. Every Go module pinned here is one the Go module proxy serves.
# shellcheck disable=SC2034

# cluster-autoscaler has no semver module tags; the proxy serves this pseudo-version (CA 1.33.0,
# kubernetes/autoscaler commit 1959f5f61f6c, 2025-06-13). Its go.mod pins k8s.io/kubernetes v1.33.1 and
# replaces the nested ./apis module, which we require at the version its go.mod names instead.
ADDON_CA_VERSION=${ADDON_CA_VERSION:-v0.0.0-20250613073258-1959f5f61f6c}
# The checksum database does not know this pseudo-version (404), so its hash is pinned here instead.
ADDON_CA_SUM=h1:gGUthCoel/TlD1fh33foTFCs1n75w8sqmpD3qf2zqk4=
# v3.6.x: the last Traefik line whose go.mod has no replace to a nested, unpublished module.
ADDON_TRAEFIK_VERSION=${ADDON_TRAEFIK_VERSION:-v3.6.12}
ADDON_KUEUE_VERSION=${ADDON_KUEUE_VERSION:-v0.17.0}
ADDON_PROMETHEUS_ADAPTER_VERSION=${ADDON_PROMETHEUS_ADAPTER_VERSION:-v0.12.0}
# Prometheus server from its Go module (module v0.316.0 is release 3.16.0), Kubernetes SD only.
ADDON_PROMETHEUS_VERSION=${ADDON_PROMETHEUS_VERSION:-v0.316.0}
ADDON_PROMETHEUS_RELEASE=3.16.0
# KubeRay's ray-operator (module github.com/ray-project/kuberay/ray-operator, no replace directives).
ADDON_KUBERAY_VERSION=${ADDON_KUBERAY_VERSION:-v1.5.0}
