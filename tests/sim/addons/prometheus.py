"""Add-on `prometheus`: the Prometheus server (built from its Go module with Kubernetes service
discovery) scraping the DCGM exporter stand-in, and discovering workloads through the simulated API
server: Services annotated `prometheus.io/scrape: "true"` (an ExternalName Service is scraped at its
external name, which is how local stand-in workloads are published). Published in-cluster as
Service monitoring/prometheus (ExternalName to the local process)."""

from __future__ import annotations

import json
import shutil
import urllib.parse

from tests.sim.addons import _common, dcgm_exporter

NAME = "prometheus"
DEPENDS = ("dcgm-exporter",)
NAMESPACE = "monitoring"
SERVICE = "prometheus"
SCRAPE_INTERVAL = "2s"


def _version():
    return _common.pins()["ADDON_PROMETHEUS_VERSION"]


def build():
    return _common.build("prometheus-server", "prometheus", _version())


def config(exporter_port, kubeconfig):
    return {
        "global": {"scrape_interval": SCRAPE_INTERVAL, "evaluation_interval": SCRAPE_INTERVAL,
                   "external_labels": {"cluster": "sim"}},
        "scrape_configs": [
            {
                # As the GPU Operator's ServiceMonitor with honorLabels: true: the exporter's own
                # pod/namespace/container labels name the workload using the GPU.
                "job_name": "dcgm-exporter",
                "honor_labels": True,
                "static_configs": [{"targets": ["127.0.0.1:%d" % exporter_port],
                                    "labels": {"service": dcgm_exporter.SERVICE}}],
            },
            {
                # Workloads by the conventional prometheus.io annotations on their Service.
                "job_name": "kubernetes-services",
                "kubernetes_sd_configs": [{"role": "service", "kubeconfig_file": kubeconfig}],
                "relabel_configs": [
                    {"source_labels": ["__meta_kubernetes_service_annotation_prometheus_io_scrape"],
                     "action": "keep", "regex": "true"},
                    {"source_labels": ["__meta_kubernetes_service_annotation_prometheus_io_path"],
                     "regex": "(.+)", "target_label": "__metrics_path__"},
                    {"source_labels": ["__address__", "__meta_kubernetes_service_annotation_prometheus_io_port"],
                     "regex": "([^:]+)(?::\\d+)?;(\\d+)", "replacement": "$1:$2", "target_label": "__address__"},
                    # An ExternalName Service is reached at its external name (the service DNS name
                    # does not resolve outside a cluster).
                    {"source_labels": ["__meta_kubernetes_service_type", "__meta_kubernetes_service_external_name",
                                       "__meta_kubernetes_service_annotation_prometheus_io_port"],
                     "regex": "ExternalName;(.+);(\\d+)", "replacement": "$1:$2", "target_label": "__address__"},
                    {"source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace"},
                    {"source_labels": ["__meta_kubernetes_service_name"], "target_label": "service"},
                    {"source_labels": ["__meta_kubernetes_service_label_ai_conformance_rke2_stand_in"],
                     "regex": "(.+)", "target_label": "stand_in"},
                ],
            },
        ],
    }


def manifests(port):
    return [
        _common.namespace(NAMESPACE, **{_common.ADDON_LABEL: NAME}),
        _common.external_name_service(
            SERVICE, NAMESPACE, [("web", port)],
            labels={"app.kubernetes.io/name": "prometheus", _common.ADDON_LABEL: NAME},
            annotations={"sim.ai-conformance.rke2/runs-as":
                         "local process (Prometheus module %s) on 127.0.0.1:%d" % (_version(), port)}),
    ]


def base_url(cluster):
    return "http://127.0.0.1:%d" % _common.state(cluster, NAME)["ports"]["web"]


def query(cluster, promql):
    """Instant query; returns the result vector (list of {metric, value})."""
    status, body = _common.http_get(base_url(cluster) + "/api/v1/query?" + urllib.parse.urlencode({"query": promql}))
    if status != 200:
        raise RuntimeError("Prometheus query %r failed: %s %s" % (promql, status, body[:200]))
    return json.loads(body)["data"]["result"]


def start(cluster):
    binary = build()
    port = _common.ports(cluster, NAME, "web")["web"]
    exporter_port = _common.state(cluster, dcgm_exporter.NAME)["ports"]["http"]
    work = _common.workdir(cluster, NAME)
    shutil.rmtree(work / "data", ignore_errors=True)  # a new cluster starts with an empty TSDB
    cfg = work / "prometheus.yml"
    cfg.write_text(json.dumps(config(exporter_port, str(cluster.kubeconfig)), indent=2))  # JSON is YAML
    cluster.spawn(NAME, [
        binary, "--config.file=%s" % cfg, "--storage.tsdb.path=%s" % (work / "data"),
        "--storage.tsdb.retention.time=2h", "--web.listen-address=127.0.0.1:%d" % port,
        "--web.enable-lifecycle", "--log.level=warn",
    ])
    _common.wait_for(cluster, NAME, "Prometheus on port %d" % port,
                     lambda: _common.http_get(base_url(cluster) + "/-/ready")[0] == 200, 60)
    _common.wait_for(cluster, NAME, "Prometheus scraping the DCGM exporter stand-in",
                     lambda: any(r["value"][1] == "1" for r in query(cluster, 'up{job="dcgm-exporter"}')), 30)
    _common.apply(cluster, manifests(port))


def stop(cluster):
    if _common.state(cluster, NAME).get("ports"):
        _common.delete(cluster, manifests(0)[1:])
