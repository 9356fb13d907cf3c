"""Add-on `traefik`: Traefik v3 (built from its Go module) with its Kubernetes Gateway API provider,
running out of cluster: the provider uses KUBECONFIG when KUBERNETES_SERVICE_HOST is unset
(sim-cluster.md §5 pitfall 7; cluster.spawn strips those variables). Like RKE2's rke2-traefik chart
with `providers.kubernetesGateway.enabled`, it creates GatewayClass `traefik`
(controllerName traefik.io/gateway-controller); Traefik itself writes every status.

Entry points as in the chart: web :8000 and websecure :8443 (Gateway listener ports must equal an
entry point's port). They bind a loopback address of their own (127.x.y.z), so several simulated
clusters can run Traefik at once; statusAddress reports that address on Gateways.
"""

from __future__ import annotations

import random
import socket

from tests.sim.addons import _common

NAME = "traefik"
DEPENDS = ()
GATEWAY_CLASS = "traefik"
CONTROLLER = "traefik.io/gateway-controller"
ENTRY_POINTS = {"web": 8000, "websecure": 8443}


def _version():
    return _common.pins()["ADDON_TRAEFIK_VERSION"]


def build():
    return _common.build("traefik", "traefik", _version())


def _free_loopback_address():
    """A 127.x.y.z address where every entry point port is free."""
    for _attempt in range(50):
        address = "127.%d.%d.%d" % (random.randint(1, 254), random.randint(0, 255), random.randint(1, 254))
        try:
            for port in ENTRY_POINTS.values():
                with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                    s.bind((address, port))
            return address
        except OSError:
            continue
    raise RuntimeError("no loopback address with ports %s free" % sorted(ENTRY_POINTS.values()))


def gateway_class():
    return {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
            "metadata": {"name": GATEWAY_CLASS, "labels": {_common.ADDON_LABEL: NAME}},
            "spec": {"controllerName": CONTROLLER}}


def _accepted(cluster):
    from kubernetes import client

    obj = client.CustomObjectsApi(cluster.api_client()).get_cluster_custom_object(
        "gateway.networking.k8s.io", "v1", "gatewayclasses", GATEWAY_CLASS)
    cond = [c for c in (obj.get("status") or {}).get("conditions") or [] if c.get("type") == "Accepted"]
    if cond and cond[0].get("status") == "True":
        return True
    raise RuntimeError("GatewayClass %s: %s" % (GATEWAY_CLASS, cond[0] if cond else "no Accepted condition yet"))


def start(cluster):
    binary = build()
    port = _common.ports(cluster, NAME, "traefik")["traefik"]
    address = _free_loopback_address()
    _common.save_state(cluster, NAME, address=address)
    argv = [binary, "--global.checkNewVersion=false", "--global.sendAnonymousUsage=false",
            "--log.level=INFO", "--entryPoints.traefik.address=127.0.0.1:%d" % port,
            "--ping=true", "--ping.entryPoint=traefik",
            "--providers.kubernetesgateway=true",
            "--providers.kubernetesgateway.statusAddress.ip=%s" % address,
            "--providers.providersThrottleDuration=1s"]
    argv += ["--entryPoints.%s.address=%s:%d" % (name, address, p) for name, p in ENTRY_POINTS.items()]
    cluster.spawn(NAME, argv, env={"KUBECONFIG": str(cluster.kubeconfig)})
    _common.wait_for(cluster, NAME, "Traefik ping on port %d" % port,
                     lambda: _common.http_get("http://127.0.0.1:%d/ping" % port)[0] == 200, 60)
    _common.apply(cluster, [gateway_class()])
    _common.wait_for(cluster, NAME, "GatewayClass %s Accepted by Traefik" % GATEWAY_CLASS,
                     lambda: _accepted(cluster), 60)


def address(cluster):
    """The loopback address Traefik's entry points listen on."""
    return _common.state(cluster, NAME)["address"]


def stop(cluster):
    if _common.state(cluster, NAME).get("ports"):
        _common.delete(cluster, [gateway_class()])
