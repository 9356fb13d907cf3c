"""gpu_sharing against the simulated cluster: plain GPU nodes fail, a time-sliced / MIG node passes."""

from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS, SKIP

from tests.integration.checks.accel_support import added, run, statuses
from tests.sim import nodes


def test_plain_gpu_nodes_fail_with_what_was_seen(api):
    result = run(api, "gpu_sharing")
    assert result.status == FAIL
    assert "no GPU sharing on" in result.message
    assert result.steps[0].evidence["nodes"]["sim-gpu-0"]["allocatable_gpu"] == 1


def test_time_sliced_node_passes(api):
    # GFD labels of a time-sliced node with 4 replicas of 1 physical GPU (RKE2 docs example).
    shared = nodes.gpu_node_manifest("sim-gpu-shared", 4, labels={
        "nvidia.com/gpu.count": "1", "nvidia.com/gpu.replicas": "4",
        "nvidia.com/gpu.sharing-strategy": "time-slicing", "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3-SHARED"})
    with added(api, shared):
        result = run(api, "gpu_sharing", settings={"pod_timeout": 60})
    assert statuses(result) == {"sharing_exposed": PASS, "shared_gpu_pods_run": PASS}, result.to_dict()
    assert "sim-gpu-shared: time-slicing" in result.message
    assert "2 pods requesting nvidia.com/gpu: 1 run on sim-gpu-shared, which has 1 physical GPU(s)" in result.message


def test_time_sliced_label_without_schedulable_replicas_fails(api):
    # The label claims 4 replicas but the node advertises its single physical GPU only (a broken sharing
    # config): no second one-GPU pod fits there.
    broken = nodes.gpu_node_manifest("sim-gpu-broken", 1, labels={
        "nvidia.com/gpu.count": "1", "nvidia.com/gpu.replicas": "4", "nvidia.com/gpu.sharing-strategy": "time-slicing"})
    with added(api, broken):
        result = run(api, "gpu_sharing", settings={"pod_timeout": 8})
    assert statuses(result) == {"sharing_exposed": PASS, "shared_gpu_pods_run": FAIL}
    assert result.status == FAIL
    assert "sim-gpu-broken is labelled for sharing (replicas 4) but advertises 1 nvidia.com/gpu" in result.message


def test_mig_mixed_node_passes(api):
    mig = nodes.gpu_node_manifest("sim-gpu-mig", 0, labels={"nvidia.com/gpu.present": "true",
                                                            "nvidia.com/mig.strategy": "mixed"})
    mig["status"]["capacity"]["nvidia.com/mig-1g.10gb"] = "7"
    with added(api, mig):
        result = run(api, "gpu_sharing")
    assert result.status == PASS and "sim-gpu-mig: mig (mixed strategy)" in result.message
    assert statuses(result)["shared_gpu_pods_run"] == SKIP
