# Pinned versions of everything the simulated cluster builds. Bumping one rebuilds it into a new cache dir.
# shellcheck disable=SC2034
SIM_K8S_SUPPORTED=(v1.34.4 v1.35.4 v1.36.3 v1.37.2)
SIM_K8S_VERSION=${SIM_K8S_VERSION:-v1.37.2}
SIM_ETCD_VERSION=${SIM_ETCD_VERSION:-v3.6.16}
SIM_KWOK_VERSION=${SIM_KWOK_VERSION:-v0.8.0}
# Gateway API CRDs at the version Traefik v3.6.x (our simulated gateway controller) is built against.
SIM_GATEWAY_API_VERSION=${SIM_GATEWAY_API_VERSION:-v1.4.0}
