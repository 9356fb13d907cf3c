"""Add-on `kuberay`: KubeRay's ray-operator (built from its Go module) running out of cluster with its
validating webhook (ENABLE_WEBHOOKS=true), CRDs and webhook configuration from the module zip.

The webhook is reached like Kueue's: ExternalName Service kuberay-system/kuberay-webhook-service ->
127.0.0.1 and the webhook port in `service.port`, TLS verified for kuberay-webhook-service.kuberay-system.svc
with a serving certificate from the simulated cluster's CA (the release manifests use cert-manager).
ray-operator has no flag for its webhook port: controller-runtime's default 9443 on all interfaces, so
one simulated cluster per host can run this add-on; its cert dir follows TMPDIR.
"""

from __future__ import annotations

import base64
import copy
import shutil
import socket

from tests.sim import pki
from tests.sim.addons import _common
from tests.sim.cluster import SimError

NAME = "kuberay"
DEPENDS = ()
PROCESS = "kuberay-operator"
NAMESPACE = "kuberay-system"
WEBHOOK_SERVICE = "kuberay-webhook-service"
WEBHOOK_PORT = 9443  # controller-runtime's default; ray-operator does not expose it


def _version():
    return _common.pins()["ADDON_KUBERAY_VERSION"]


def _dir():
    return _common.cache_dir("kuberay", _version())


def build():
    return _common.build("kuberay", "ray-operator", _version())


def _load_all(path):
    import yaml

    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def webhook_configurations(cluster, with_ca=True):
    ca = base64.b64encode((cluster.pki / "ca.crt").read_bytes()).decode() if with_ca else ""
    out = []
    for doc in _load_all(_dir() / "config" / "webhooks.yaml"):
        doc = copy.deepcopy(doc)
        doc["metadata"]["name"] = "kuberay-" + doc["metadata"]["name"]
        doc["metadata"]["labels"] = {_common.ADDON_LABEL: NAME}
        for hook in doc.get("webhooks") or []:
            hook["clientConfig"]["service"].update(name=WEBHOOK_SERVICE, namespace=NAMESPACE, port=WEBHOOK_PORT)
            hook["clientConfig"]["caBundle"] = ca
        out.append(doc)
    return out


def _valid_raycluster_dry_run(cluster):
    from kubernetes import client

    body = {"apiVersion": "ray.io/v1", "kind": "RayCluster", "metadata": {"name": "sim-webhook-probe"},
            "spec": {"headGroupSpec": {"rayStartParams": {}, "template": {"spec": {"containers": [
                {"name": "ray-head", "image": "registry.k8s.io/pause:3.10"}]}}}}}
    client.CustomObjectsApi(cluster.api_client()).create_namespaced_custom_object(
        "ray.io", "v1", "default", "rayclusters", body, dry_run="All")
    return True


def start(cluster):
    binary = build()
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", WEBHOOK_PORT)) == 0:
            raise SimError("port %d is taken (another simulated cluster's KubeRay?): ray-operator's webhook "
                           "port cannot be changed" % WEBHOOK_PORT)
    ports = _common.ports(cluster, NAME, "metrics", "health")
    work = _common.workdir(cluster, NAME)
    tmp = work / "tmp"
    cert_dir = tmp / "k8s-webhook-server" / "serving-certs"
    shutil.rmtree(tmp, ignore_errors=True)
    cert_dir.mkdir(parents=True)
    crt, key = pki.issue_serving(cluster.pki, "kuberay-webhook", WEBHOOK_SERVICE,
                                 dns=("%s.%s.svc" % (WEBHOOK_SERVICE, NAMESPACE), "localhost"))
    shutil.copy(crt, cert_dir / "tls.crt")
    shutil.copy(key, cert_dir / "tls.key")
    labels = {_common.ADDON_LABEL: NAME}
    _common.apply(cluster, [_common.namespace(NAMESPACE, **labels),
                            _common.external_name_service(WEBHOOK_SERVICE, NAMESPACE, [("https", WEBHOOK_PORT)],
                                                          labels=labels)])
    crds = [crd for path in sorted((_dir() / "config" / "crd").glob("*.yaml")) for crd in _load_all(path)]
    _common.apply(cluster, crds)
    kc = str(cluster.kubeconfig)
    cluster.spawn(PROCESS, [binary, "--metrics-addr=127.0.0.1:%d" % ports["metrics"],
                            "--health-probe-bind-address=127.0.0.1:%d" % ports["health"],
                            "--enable-leader-election=false", "--kubeconfig=" + kc],
                  env={"KUBECONFIG": kc, "ENABLE_WEBHOOKS": "true", "TMPDIR": str(tmp)})
    _common.wait_for(cluster, PROCESS, "KubeRay readiness on port %d" % ports["health"],
                     lambda: _common.http_get("http://127.0.0.1:%d/readyz" % ports["health"])[0] == 200, 90)
    _common.apply(cluster, webhook_configurations(cluster))
    _common.wait_for(cluster, PROCESS, "KubeRay's validating webhook answering through the API server",
                     lambda: _valid_raycluster_dry_run(cluster), 60)


def stop(cluster):
    """The webhook configuration first: with failurePolicy Fail it would block RayCluster writes."""
    if not _common.state(cluster, NAME).get("ports"):
        return
    _common.delete(cluster, webhook_configurations(cluster, with_ca=False), wait=15)
    _common.delete(cluster, [_common.external_name_service(WEBHOOK_SERVICE, NAMESPACE, [])])
