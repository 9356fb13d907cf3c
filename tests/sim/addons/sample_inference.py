"""Add-on `sample-inference`: a STAND-IN inference workload (inference_standin.py) published as Service
ai-inference-demo/inference-standin with the conventional `prometheus.io/*` scrape annotations.
Prometheus finds it through Kubernetes service discovery (the simulated API server) and scrapes it:
the discovery and collection are real, the workload behind the Service is a local stand-in process
because simulated pods run no containers. The Service is labelled ai-conformance.rke2/stand-in."""

from __future__ import annotations

import json
import urllib.request

from tests.sim.addons import _common

NAME = "sample-inference"
DEPENDS = ()
PROCESS = "inference-standin"
NAMESPACE = "ai-inference-demo"
SERVICE = "inference-standin"
STAND_IN_LABEL = "ai-conformance.rke2/stand-in"


def build():
    """Nothing to build: the stand-in is Python from this repo."""


def manifests(port):
    return [
        _common.namespace(NAMESPACE, **{_common.ADDON_LABEL: NAME}),
        _common.external_name_service(
            SERVICE, NAMESPACE, [("http", port)],
            labels={"app.kubernetes.io/name": SERVICE, STAND_IN_LABEL: "true", _common.ADDON_LABEL: NAME},
            annotations={"prometheus.io/scrape": "true", "prometheus.io/port": str(port),
                         "prometheus.io/path": "/metrics",
                         STAND_IN_LABEL: "simulated inference server (tests/sim/addons/inference_standin.py): "
                                         "a local process standing in for a workload pod"}),
    ]


def url(cluster, path=""):
    return "http://127.0.0.1:%d%s" % (_common.state(cluster, NAME)["ports"]["http"], path)


def start(cluster):
    port = _common.ports(cluster, NAME, "http")["http"]
    cluster.spawn(PROCESS, _common.python_module_argv("tests.sim.addons.inference_standin", "--port", str(port)),
                  env=_common.repo_env())
    _common.wait_for(cluster, PROCESS, "the inference stand-in on port %d" % port,
                     lambda: _common.http_get(url(cluster, "/healthz"))[0] == 200, 30)
    _common.apply(cluster, manifests(port))
    send_requests(cluster, 3)  # a little traffic, as the upstream test sends before it queries


def send_requests(cluster, count):
    for _request in range(count):
        req = urllib.request.Request(url(cluster, "/v1/completions"), method="POST",
                                     data=json.dumps({"model": "stand-in-model", "prompt": "hello"}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=5) as resp:
            resp.read()


def stop(cluster):
    if _common.state(cluster, NAME).get("ports"):
        _common.delete(cluster, manifests(0)[1:])
