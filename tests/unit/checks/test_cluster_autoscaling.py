"""Decision logic of cluster_autoscaling: status ConfigMap parsing, detection, node groups (no cluster)."""

import calendar

import pytest
from kubernetes import client

from ansible_collections.ai_conformance.rke2.plugins.module_utils.checks import cluster_autoscaling as check
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS, SKIP

pytestmark = pytest.mark.unit

NOW = calendar.timegm((2026, 7, 26, 10, 0, 30, 0, 0, 0))
STATUS = """time: 2026-07-26 10:00:00.123456789 +0000 UTC m=+65.1
autoscalerStatus: Running
clusterWide:
  health: {status: Healthy}
nodeGroups:
- name: gpu-pool
  health: {status: Healthy, cloudProviderTarget: 2, minSize: 1, maxSize: 3}
"""


def configmap(status):
    return {"metadata": {"namespace": "kube-system", "name": "cluster-autoscaler-status"}, "data": {"status": status}}


def deployment(ready, desired=1):
    return {"metadata": {"namespace": "kube-system", "name": "cluster-autoscaler"}, "spec": {"replicas": desired},
            "status": {"readyReplicas": ready}}


def test_status_time_formats():
    assert check.parse_status_time("2026-07-26 10:00:00.000 +0000 UTC") == NOW - 30
    assert check.parse_status_time("2026-07-26 12:00:00 +0200 CEST") == NOW - 30
    assert check.parse_status_time("2026-07-26T10:00:00Z") == NOW - 30
    assert check.parse_status_time("never") is None


def test_yaml_status_node_groups():
    parsed = check.parse_status(STATUS)
    assert parsed["autoscaler_status"] == "Running"
    assert parsed["node_groups"] == {"gpu-pool": {"min": 1, "max": 3, "target": 2, "health": "Healthy"}}


def test_legacy_text_status():
    parsed = check.parse_status("Cluster-autoscaler status at 2026-07-26 10:00:00.5 +0000 UTC:\nCluster-wide: ...")
    assert parsed["format"] == "text" and parsed["time"] == NOW - 30


def test_nothing_installed_skips():
    status, message, _evidence = check.detect([], None, NOW, 180)
    assert status == SKIP and "no cluster autoscaler installed" in message


def test_fresh_status_configmap_detects_out_of_cluster_autoscaler():
    status, message, evidence = check.detect([], configmap(STATUS), NOW, 180)
    assert status == PASS and "outside the cluster" in message and evidence["status_age_s"] == 30


def test_stale_status_configmap_fails():
    status, message, _evidence = check.detect([], configmap(STATUS), NOW + 3600, 180)
    assert status == FAIL and "not running" in message


def test_unreadable_status_fails():
    assert check.detect([], configmap("garbage"), NOW, 180)[0] == FAIL


def test_deployment_readiness_decides():
    assert check.detect([deployment(1)], None, NOW, 180)[0] == PASS
    status, message, _evidence = check.detect([deployment(0)], configmap(STATUS), NOW, 180)
    assert status == FAIL and "0/1" in message


def node(name, gpus, annotations=None, labels=None, provider_id=None):
    return client.V1Node(
        metadata=client.V1ObjectMeta(name=name, annotations=annotations, labels=labels),
        spec=client.V1NodeSpec(provider_id=provider_id),
        status=client.V1NodeStatus(allocatable={"nvidia.com/gpu": str(gpus)} if gpus else {}))


def test_node_groups_from_annotation_label_and_vmss():
    nodes = [
        node("a", 1, annotations={"cluster-autoscaler.kwok.nodegroup/name": "gpu-pool"}),
        node("b", 2, labels={"kubernetes.azure.com/agentpool": "gpupool"}),
        node("c", 1, provider_id="azure:///subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/"
                                 "virtualMachineScaleSets/gpu-vmss/virtualMachines/3"),
        node("d", 1),
        node("cpu", 0, annotations={"cluster-autoscaler.kwok.nodegroup/name": "cpu-pool"}),
    ]
    assert check.gpu_groups(nodes) == {"gpu-pool": ["a"], "gpupool": ["b"], "gpu-vmss": ["c"], "(no group)": ["d"]}


def test_scale_pod_excludes_existing_gpu_hosts():
    pod = check.scale_pod("p", {"x": "y"}, 1, {"n2", "n1"}, {"pool": "gpu"})
    term = pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert term["nodeSelectorTerms"][0]["matchExpressions"][0] == {
        "key": "kubernetes.io/hostname", "operator": "NotIn", "values": ["n1", "n2"]}
    assert pod["spec"]["containers"][0]["resources"]["requests"] == {"nvidia.com/gpu": "1"}
    assert pod["spec"]["nodeSelector"] == {"pool": "gpu"}
