"""Add-on `dcgm-exporter`: a STAND-IN for NVIDIA DCGM exporter (dcgm_exporter_standin.py), because
simulated GPUs have no DCGM. It is published like the GPU Operator's exporter (Service
gpu-operator/nvidia-dcgm-exporter, label app=nvidia-dcgm-exporter, port `gpu-metrics`), as an
ExternalName Service to the local process, and labelled a stand-in so verify reports say so."""

from __future__ import annotations

import json
import urllib.request

from tests.sim.addons import _common

NAME = "dcgm-exporter"
DEPENDS = ()
PROCESS = "dcgm-exporter-standin"
NAMESPACE = "gpu-operator"
SERVICE = "nvidia-dcgm-exporter"
STAND_IN_LABEL = "ai-conformance.rke2/stand-in"


def build():
    """Nothing to build: the stand-in is Python from this repo."""


def manifests(port):
    return [
        _common.namespace(NAMESPACE, **{_common.ADDON_LABEL: NAME}),
        _common.external_name_service(
            SERVICE, NAMESPACE, [("gpu-metrics", port)],
            labels={"app": "nvidia-dcgm-exporter", STAND_IN_LABEL: "true", _common.ADDON_LABEL: NAME},
            annotations={STAND_IN_LABEL: "simulated DCGM exporter (tests/sim/addons/dcgm_exporter_standin.py): "
                                         "no GPU, values simulated, not measured by DCGM"}),
    ]


def url(cluster, path="/metrics"):
    return "http://127.0.0.1:%d%s" % (_common.state(cluster, NAME)["ports"]["http"], path)


def start(cluster):
    port = _common.ports(cluster, NAME, "http")["http"]
    cluster.spawn(PROCESS, _common.python_module_argv(
        "tests.sim.addons.dcgm_exporter_standin", "--kubeconfig", str(cluster.kubeconfig), "--port", str(port)),
        env=_common.repo_env())
    _common.wait_for(cluster, PROCESS, "the DCGM exporter stand-in on port %d" % port,
                     lambda: _common.http_get(url(cluster, "/health"))[0] == 200, 30)
    _common.apply(cluster, manifests(port))


def stop(cluster):
    if _common.state(cluster, NAME).get("ports"):
        _common.delete(cluster, manifests(0)[1:])


# ---- for tests: drive the simulated readings -----------------------------------------------------
def set_values(cluster, metrics, node=None, gpu=0, namespace=None, pod=None):
    """Override simulated readings of one GPU (node, gpu) or of the GPU(s) allocated to a pod."""
    body = {"metrics": metrics}
    if pod:
        body.update(namespace=namespace or "default", pod=pod)
    else:
        body.update(node=node, gpu=gpu)
    return _post(cluster, "/set", body)


def reset(cluster):
    return _post(cluster, "/reset", {})


def standin_state(cluster):
    return json.loads(_common.http_get(url(cluster, "/state"))[1])


def _post(cluster, path, body):
    req = urllib.request.Request(url(cluster, path), data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.loads(resp.read())
