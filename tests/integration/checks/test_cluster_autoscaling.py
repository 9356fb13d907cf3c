"""cluster_autoscaling against the simulated cluster's real API server, without an autoscaler.

Passing runs need the real cluster-autoscaler (kwok provider): they are the add-ons engineer's tests
(tests/sim/addons). Here: nothing installed -> skip; the leftovers of an autoscaler that is not running
(a stale status ConfigMap, a Deployment whose pod cannot start) -> fail.
"""

import pytest
from kubernetes import client

from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, SKIP

from tests.integration.checks.accel_support import run
from tests.integration.checks.observability_fixtures import scratch_namespace

STALE_STATUS = """time: 2020-01-01 00:00:00.000000000 +0000 UTC
autoscalerStatus: Running
nodeGroups:
- name: gpu-pool
  health: {status: Healthy, cloudProviderTarget: 2, minSize: 2, maxSize: 3}
"""


@pytest.fixture
def namespace(api):
    with scratch_namespace(api, "it-ca") as name:
        yield name


def test_no_autoscaler_skips(api):
    result = run(api, "cluster_autoscaling")
    assert result.status == SKIP, result.to_dict()
    assert "no cluster autoscaler installed" in result.message
    assert not result.cleaned_up  # nothing was created


def test_stale_status_configmap_fails(api, namespace):
    client.CoreV1Api(api).create_namespaced_config_map(namespace, {
        "metadata": {"name": "cluster-autoscaler-status"}, "data": {"status": STALE_STATUS}})
    result = run(api, "cluster_autoscaling", settings={"status_configmap": namespace + "/cluster-autoscaler-status"})
    assert result.status == FAIL, result.to_dict()
    assert "the autoscaler is not running" in result.message


def test_autoscaler_deployment_that_cannot_start_fails(api, namespace):
    labels = {"app.kubernetes.io/name": "cluster-autoscaler"}
    client.AppsV1Api(api).create_namespaced_deployment(namespace, {
        "metadata": {"name": "cluster-autoscaler", "labels": labels},
        "spec": {"replicas": 1, "selector": {"matchLabels": labels}, "template": {
            "metadata": {"labels": labels},
            "spec": {"nodeSelector": {"example.invalid/no-such-node": "true"},
                     "containers": [{"name": "ca", "image": "registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.0"}]}}}})
    result = run(api, "cluster_autoscaling", settings={"autoscaler_deployment": namespace + "/cluster-autoscaler"})
    assert result.status == FAIL, result.to_dict()
    assert "cluster-autoscaler Deployment not ready: %s/cluster-autoscaler 0/1 ready" % namespace in result.message
