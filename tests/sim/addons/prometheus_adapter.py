"""Add-on `prometheus-adapter`: sigs.k8s.io/prometheus-adapter (built from its Go module) serving
custom.metrics.k8s.io from Prometheus, registered through the aggregation layer as APIService
v1beta1.custom.metrics.k8s.io -> ExternalName Service custom-metrics/custom-metrics-apiserver ->
127.0.0.1:<port> (no --enable-aggregator-routing). kube-controller-manager's HPA controller reads it.

Metrics (per pod and per namespace, from the exporter's pod/namespace labels):
gpu_utilization (% from DCGM_FI_DEV_GPU_UTIL), gpu_memory_used (MiB from DCGM_FI_DEV_FB_USED), and
the same two under their DCGM names."""

from __future__ import annotations

import base64
import json
import ssl
import time

from tests.sim import pki
from tests.sim.addons import _common, prometheus

NAME = "prometheus-adapter"
DEPENDS = ("prometheus",)
NAMESPACE = "custom-metrics"
SERVICE = "custom-metrics-apiserver"
APISERVICE = "v1beta1.custom.metrics.k8s.io"
RELIST = "5s"
# exposed name -> DCGM series
METRICS = {
    "gpu_utilization": "DCGM_FI_DEV_GPU_UTIL",
    "gpu_memory_used": "DCGM_FI_DEV_FB_USED",
    "DCGM_FI_DEV_GPU_UTIL": "DCGM_FI_DEV_GPU_UTIL",
    "DCGM_FI_DEV_FB_USED": "DCGM_FI_DEV_FB_USED",
}


def _version():
    return _common.pins()["ADDON_PROMETHEUS_ADAPTER_VERSION"]


def build():
    return _common.build("prometheus-adapter", "adapter", _version())


def rules():
    return {"rules": [{
        "seriesQuery": '%s{namespace!="",pod!=""}' % series,
        "resources": {"overrides": {"namespace": {"resource": "namespace"}, "pod": {"resource": "pod"}}},
        "name": {"matches": "^%s$" % series, "as": exposed},
        "metricsQuery": "avg(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)",
    } for exposed, series in METRICS.items()]}


def manifests(cluster, port):
    ca = base64.b64encode((cluster.pki / "ca.crt").read_bytes()).decode() if port else ""
    labels = {_common.ADDON_LABEL: NAME}
    return [
        _common.namespace(NAMESPACE, **labels),
        _common.external_name_service(SERVICE, NAMESPACE, [("https", port)], labels=labels),
        {"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
         "metadata": {"name": APISERVICE, "labels": labels},
         "spec": {"group": "custom.metrics.k8s.io", "version": "v1beta1", "groupPriorityMinimum": 100,
                  "versionPriority": 100, "caBundle": ca,
                  "service": {"namespace": NAMESPACE, "name": SERVICE, "port": port}}},
    ]


def _available(cluster):
    from kubernetes import client

    obj = client.ApiregistrationV1Api(cluster.api_client()).read_api_service(APISERVICE)
    cond = [c for c in obj.status.conditions or [] if c.type == "Available"]
    if cond and cond[0].status == "True":
        return True
    raise RuntimeError("APIService %s Available=%s: %s" % (
        APISERVICE, cond[0].status if cond else "unknown", cond[0].message if cond else "no condition yet"))


def start(cluster):
    binary = build()
    port = _common.ports(cluster, NAME, "https")["https"]
    work = _common.workdir(cluster, NAME)
    crt, key = pki.issue_serving(cluster.pki, "prometheus-adapter", SERVICE,
                                 dns=("%s.%s.svc" % (SERVICE, NAMESPACE), "localhost"))
    cfg = work / "config.yaml"
    cfg.write_text(json.dumps(rules(), indent=2))
    kc = str(cluster.kubeconfig)
    cluster.spawn(NAME, [
        binary, "--prometheus-url=%s/" % prometheus.base_url(cluster), "--config=%s" % cfg,
        "--metrics-relist-interval=%s" % RELIST, "--metrics-max-age=%s" % "30s",
        "--secure-port=%d" % port, "--bind-address=127.0.0.1",
        "--tls-cert-file=%s" % crt, "--tls-private-key-file=%s" % key,
        "--lister-kubeconfig=" + kc, "--authentication-kubeconfig=" + kc, "--authorization-kubeconfig=" + kc,
        "--v=2",
    ])
    ctx = ssl.create_default_context(cafile=str(cluster.pki / "ca.crt"))
    _common.wait_for(cluster, NAME, "prometheus-adapter on port %d" % port,
                     lambda: _common.http_get("https://127.0.0.1:%d/healthz" % port, context=ctx)[0] == 200, 60)
    # The APIService goes last (and is removed first on stop): an unavailable APIService blocks
    # namespace deletion cluster-wide.
    _common.apply(cluster, manifests(cluster, port))
    _common.wait_for(cluster, NAME, "APIService %s Available" % APISERVICE, lambda: _available(cluster), 60)


def stop(cluster):
    if not _common.state(cluster, NAME).get("ports"):
        return
    objs = manifests(cluster, 0)
    _common.delete(cluster, objs[2:], wait=30)  # APIService first, before its backend goes away
    _common.delete(cluster, objs[1:2])


def wait_metric(cluster, namespace, metric="gpu_utilization", timeout=60):
    """Wait until the custom metrics API lists `metric` for pods in `namespace`; returns the items."""
    from tests.sim.cluster import SimError

    path = "/apis/custom.metrics.k8s.io/v1beta1/namespaces/%s/pods/*/%s" % (namespace, metric)
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        status, body = cluster._get(path)
        if status == 200:
            items = json.loads(body).get("items") or []
            if items:
                return items
        last = (status, body[:200])
        time.sleep(1)
    raise SimError("custom metric %s not served for namespace %s within %d s: %s" % (metric, namespace, timeout, last))
