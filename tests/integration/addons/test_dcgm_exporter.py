"""The DCGM exporter STAND-IN and the Prometheus add-on on a simulated cluster, and the
accelerator_metrics check they make pass (and that fails without them)."""

from __future__ import annotations

import uuid

import pytest
from kubernetes import client

from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube, promtext
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS

from tests.integration.addons.addon_support import run_check, statuses, step
from tests.sim.addons import _common, dcgm_exporter, prometheus
from tests.sim.addons.dcgm_exporter_standin import LOAD_ANNOTATION


@pytest.fixture
def namespace(addon_sim):
    core = client.CoreV1Api(addon_sim.api_client())
    name = "it-dcgm-" + uuid.uuid4().hex[:6]
    core.create_namespace({"metadata": {"name": name}})
    yield name
    core.delete_namespace(name)


def gpu_pod(name, load):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "annotations": {LOAD_ANNOTATION: str(load)}},
            "spec": {"containers": [{"name": "main", "image": "registry.k8s.io/pause:3.10",
                                     "resources": {"limits": {"nvidia.com/gpu": "1"}}}]}}


def series(cluster, metric, **labels):
    text = _common.http_get(dcgm_exporter.url(cluster))[1]
    return [s for s in promtext.parse(text).series(metric)
            if all(s.labels.get(k) == v for k, v in labels.items())]


def test_exporter_attributes_gpus_to_pods_and_follows_their_load(addon_sim, namespace):
    core = client.CoreV1Api(addon_sim.api_client())
    core.create_namespaced_pod(namespace, gpu_pod("worker", 70))

    def value(metric):
        found = series(addon_sim, metric, namespace=namespace, pod="worker")
        return found[0].value if found else None

    assert kube.wait_until(lambda: value("DCGM_FI_DEV_GPU_UTIL") == 70, 30), \
        dcgm_exporter.standin_state(addon_sim)
    pod = core.read_namespaced_pod("worker", namespace)
    util = series(addon_sim, "DCGM_FI_DEV_GPU_UTIL", namespace=namespace, pod="worker")[0]
    assert util.labels["Hostname"] == pod.spec.node_name and util.labels["container"] == "main"
    assert value("DCGM_FI_DEV_FB_USED") > 0
    used, free = value("DCGM_FI_DEV_FB_USED"), value("DCGM_FI_DEV_FB_FREE")
    assert used + free == 81559  # nvidia.com/gpu.memory of the simulated node
    core.patch_namespaced_pod("worker", namespace, {"metadata": {"annotations": {LOAD_ANNOTATION: "5"}}})
    assert kube.wait_until(lambda: value("DCGM_FI_DEV_GPU_UTIL") == 5, 30)
    # A test can override a reading; reset drops the override.
    dcgm_exporter.set_values(addon_sim, {"DCGM_FI_DEV_GPU_TEMP": 91}, namespace=namespace, pod="worker")
    assert value("DCGM_FI_DEV_GPU_TEMP") == 91
    dcgm_exporter.reset(addon_sim)
    assert value("DCGM_FI_DEV_GPU_TEMP") != 91
    core.delete_namespaced_pod("worker", namespace, grace_period_seconds=0)
    assert kube.wait_until(lambda: value("DCGM_FI_DEV_GPU_UTIL") is None, 30)


def test_exporter_rejects_unknown_metrics(addon_sim):
    import urllib.error

    with pytest.raises(urllib.error.HTTPError) as err:
        dcgm_exporter.set_values(addon_sim, {"DCGM_FI_NOT_A_METRIC": 1}, node="sim-gpu-0")
    assert err.value.code == 400


def test_prometheus_scrapes_the_exporter(addon_sim):
    results = prometheus.query(addon_sim, 'DCGM_FI_DEV_GPU_UTIL{job="dcgm-exporter"}')
    hosts = {r["metric"]["Hostname"] for r in results}
    assert {"sim-gpu-0", "sim-gpu-1"} <= hosts, results


def test_accelerator_metrics_passes_and_names_the_stand_in(addon_sim):
    result = run_check(addon_sim.api_client(), "accelerator_metrics")
    assert result.status == PASS, result.to_dict()
    assert statuses(result) == {"endpoint": PASS, "utilization": PASS, "memory": PASS,
                                "temperature": PASS, "power": PASS}
    endpoint = step(result, "endpoint")
    assert endpoint.evidence["service"] == "gpu-operator/nvidia-dcgm-exporter"
    assert endpoint.evidence["stand_in"], "the stand-in must be reported as such"
    assert "STAND-IN" in result.message
    assert len(step(result, "utilization").evidence["devices"]) >= 2


def test_accelerator_metrics_fails_without_the_exporter(api):
    """The shared cluster runs no add-on."""
    result = run_check(api, "accelerator_metrics", active=False)
    assert result.status == FAIL and "no accelerator metrics exporter Service found" in result.message
