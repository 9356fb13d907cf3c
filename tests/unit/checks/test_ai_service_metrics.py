"""Decision logic of ai_service_metrics on Prometheus API answers (no cluster)."""

import pytest

from ansible_collections.ai_conformance.rke2.plugins.module_utils.checks import ai_service_metrics as check

pytestmark = pytest.mark.unit

INFRA = check.SETTINGS["infrastructure_jobs"][0]


def target(job, health="up", namespace=None, discovered_ns=None):
    labels = {"job": job, "instance": job + ":8000"}
    if namespace:
        labels["namespace"] = namespace
    discovered = {"__meta_kubernetes_namespace": discovered_ns} if discovered_ns else {}
    return {"labels": labels, "discoveredLabels": discovered, "health": health, "lastError": ""}


def test_infrastructure_and_unhealthy_targets_do_not_count():
    targets = [target("prometheus"), target("dcgm-exporter"), target("kubernetes-apiservers"),
               target("inference", health="down"), target("vllm", namespace="monitoring"),
               target("triton", discovered_ns="kube-system")]
    workload, seen = check.workload_targets(targets, INFRA, ["kube-system", "monitoring"])
    assert workload == [] and len(seen) == 6
    assert [s["infrastructure"] for s in seen] == [True, True, True, False, True, True]


def test_healthy_workload_target_counts():
    targets = [target("prometheus"), target("vllm-inference", namespace="ml")]
    workload, _seen = check.workload_targets(targets, INFRA, ["kube-system"])
    assert [w["labels"]["job"] for w in workload] == ["vllm-inference"]


def test_metric_names_drop_prometheus_internal_series():
    result = {"status": "success", "data": {"resultType": "vector", "result": [
        {"metric": {"__name__": "up"}, "value": [0, "1"]},
        {"metric": {"__name__": "scrape_duration_seconds"}, "value": [0, "1"]},
        {"metric": {"__name__": "inference_requests_total"}, "value": [0, "1"]},
    ]}}
    assert check.metric_names(result) == ["inference_requests_total"]
    assert check.metric_names({"data": {"result": []}}) == []


def test_stand_in_target_labels_are_named():
    assert check.stand_in_marks({"job": "kubernetes-services", "stand_in": "true"}) == ["stand_in=true"]
    assert check.stand_in_marks({"job": "vllm", "namespace": "ml"}) == []


def test_discovery_mechanism_is_named():
    assert check.discovery_of({"scrapePool": "serviceMonitor/ml/vllm/0", "labels": {}}) == \
        "prometheus-operator serviceMonitor"
    annotated = {"labels": {"job": "kubernetes-services"}, "discoveredLabels": {
        "__meta_kubernetes_namespace": "ml", "__meta_kubernetes_service_annotation_prometheus_io_scrape": "true"}}
    assert check.discovery_of(annotated) == \
        "Kubernetes service discovery, prometheus.io/scrape annotation on the service"
    assert check.discovery_of({"labels": {"job": "x"}, "discoveredLabels": {"__address__": "1.2.3.4:80"}}) == \
        "static or other configuration (job x)"
