"""The metrics pipeline on a simulated cluster: DCGM exporter stand-in -> Prometheus ->
prometheus-adapter (APIService v1beta1.custom.metrics.k8s.io through the aggregation layer) ->
kube-controller-manager's HPA controller. pod_autoscaling passes with it and fails without it."""

from __future__ import annotations

import uuid

import pytest
from kubernetes import client

from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS

from tests.integration.addons.addon_support import run_check, statuses, step
from tests.sim.addons import prometheus_adapter
from tests.sim.addons.dcgm_exporter_standin import LOAD_ANNOTATION


@pytest.fixture
def namespace(addon_sim):
    core = client.CoreV1Api(addon_sim.api_client())
    name = "it-adapter-" + uuid.uuid4().hex[:6]
    core.create_namespace({"metadata": {"name": name}})
    yield name
    core.delete_namespace(name)


def test_apiservice_is_available_through_the_aggregation_layer(addon_sim):
    svc = kube.get_json(addon_sim.api_client(),
                        "/apis/apiregistration.k8s.io/v1/apiservices/" + prometheus_adapter.APISERVICE)
    assert kube.condition(svc, "Available")["status"] == "True"
    assert svc["spec"]["service"]["name"] == prometheus_adapter.SERVICE
    backend = client.CoreV1Api(addon_sim.api_client()).read_namespaced_service(
        prometheus_adapter.SERVICE, prometheus_adapter.NAMESPACE)
    assert backend.spec.type == "ExternalName" and backend.spec.external_name == "127.0.0.1"


def test_gpu_utilization_of_a_pod_is_served_as_a_custom_metric(addon_sim, namespace):
    core = client.CoreV1Api(addon_sim.api_client())
    core.create_namespaced_pod(namespace, {
        "metadata": {"name": "worker", "annotations": {LOAD_ANNOTATION: "60"}},
        "spec": {"containers": [{"name": "main", "image": "registry.k8s.io/pause:3.10",
                                 "resources": {"limits": {"nvidia.com/gpu": "1"}}}]}})
    items = prometheus_adapter.wait_metric(addon_sim, namespace, "gpu_utilization", timeout=60)
    assert [(i["describedObject"]["name"], i["value"]) for i in items] == [("worker", "60")]
    core.delete_namespaced_pod("worker", namespace, grace_period_seconds=0)


def test_pod_autoscaling_scales_a_gpu_deployment_up_and_down(addon_sim):
    result = run_check(addon_sim.api_client(), "pod_autoscaling",
                       settings={"metric_driver": "annotation", "scale_timeout_s": 120})
    assert result.status == PASS, result.to_dict()
    assert {k: statuses(result)[k] for k in ("metrics_api", "hpa_scaling_active", "scale_up", "scale_down")} == \
        dict.fromkeys(("metrics_api", "hpa_scaling_active", "scale_up", "scale_down"), PASS)
    assert "v1beta1.custom.metrics.k8s.io" in step(result, "metrics_api").message


def test_namespace_deletion_is_not_blocked_while_the_adapter_runs(addon_sim):
    """An unavailable APIService would leave namespaces Terminating (sim-cluster.md §5 pitfall 4)."""
    core = client.CoreV1Api(addon_sim.api_client())
    name = "it-ns-del-" + uuid.uuid4().hex[:6]
    core.create_namespace({"metadata": {"name": name}})
    core.delete_namespace(name)

    def gone():
        return not [n for n in core.list_namespace().items if n.metadata.name == name]

    assert kube.wait_until(gone, 60)


def test_pod_autoscaling_fails_without_a_metrics_api(api):
    result = run_check(api, "pod_autoscaling", active=False)
    assert result.status == FAIL and "no custom or external metrics API registered" in result.message
