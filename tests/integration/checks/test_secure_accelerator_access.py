"""secure_accelerator_access against simulated clusters.

Configuration: a device-plugin DaemonSet (never scheduled: its nodeSelector matches nothing) with the
right and the wrong DEVICE_LIST_STRATEGY, and toolkit config.toml text handed in as inventory hosts.
Active: on a 1-node x 1-GPU cluster the first GPU pod runs and the second stays Pending; the log part
is skipped because kwok nodes run no containers.
"""

from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS, SKIP

from tests.integration.checks.accel_support import (added, namespace_manifest, run, statuses, step, taint,
                                                    wait_verifier_pods_gone)

GOOD_TOML = """accept-nvidia-visible-devices-as-volume-mounts = true
accept-nvidia-visible-devices-envvar-when-unprivileged = false
[nvidia-container-runtime]
mode = "auto"
"""


def device_plugin(namespace, strategy):
    env = [{"name": "DEVICE_LIST_STRATEGY", "value": strategy}] if strategy else []
    labels = {"app": "nvidia-device-plugin-daemonset"}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "nvidia-device-plugin-daemonset", "namespace": namespace},
            "spec": {"selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels}, "spec": {
                "nodeSelector": {"example.com/no-such-node": "true"},
                "containers": [{"name": "nvidia-device-plugin", "image": "nvcr.io/nvidia/k8s-device-plugin:v0.17.4",
                                "env": env}]}}}}


def test_no_device_plugin_and_no_hosts_skip_never_pass(api):
    result = run(api, "secure_accelerator_access", active=False)
    assert statuses(result) == {"toolkit_config": SKIP, "device_plugin_strategy": SKIP, "gpu_pods_exclusive": SKIP}
    assert result.status == SKIP


def test_volume_mounts_strategy_and_toolkit_config_pass(api):
    ns = namespace_manifest()
    with added(api, ns, device_plugin(ns["metadata"]["name"], "volume-mounts")):
        result = run(api, "secure_accelerator_access", active=False,
                     hosts={"sim-gpu-0": {"toolkit_config": GOOD_TOML, "nvidia_smi": None}})
    assert statuses(result)["device_plugin_strategy"] == PASS, result.to_dict()
    assert statuses(result)["toolkit_config"] == PASS
    assert result.status == PASS


def test_envvar_strategy_and_default_toolkit_fail(api):
    ns = namespace_manifest()
    with added(api, ns, device_plugin(ns["metadata"]["name"], None)):
        result = run(api, "secure_accelerator_access", active=False,
                     hosts={"sim-gpu-0": {"toolkit_config": "[nvidia-container-runtime]\nmode = \"auto\"\n"}})
    assert statuses(result)["device_plugin_strategy"] == FAIL
    assert "DEVICE_LIST_STRATEGY envvar (default)" in result.message
    assert statuses(result)["toolkit_config"] == FAIL
    assert "sim-gpu-0: accept-nvidia-visible-devices-envvar-when-unprivileged is unset" in result.message


def test_one_gpu_cluster_second_gpu_pod_pending(sim_factory):
    api = sim_factory("one-gpu-bare", gpu_nodes=1, gpus_per_node=1, dra=False, gateway_api=False).api_client()
    wait_verifier_pods_gone(api)
    result = run(api, "secure_accelerator_access", settings={"pod_timeout": 60})
    got = statuses(result)
    assert got["gpu_pods_exclusive"] == PASS, result.to_dict()
    assert got["no_request_pod_runs"] == PASS
    assert got["no_request_pod_sees_no_gpu"] == SKIP
    assert step(result, "no_request_pod_sees_no_gpu").message == "nodes are simulated: container logs not observable"
    exclusive = step(result, "gpu_pods_exclusive")
    assert "Insufficient nvidia.com/gpu" in exclusive.message
    assert exclusive.evidence["pods"]["gpu-0"]["phase"] == "Running"
    assert exclusive.evidence["pods"]["gpu-1"]["phase"] == "Pending"


def test_tainted_gpu_node_fails(sim_factory):
    api = sim_factory("one-gpu-bare", gpu_nodes=1, gpus_per_node=1, dra=False, gateway_api=False).api_client()
    wait_verifier_pods_gone(api)
    taint(api, "sim-gpu-0", [{"key": "example.com/maintenance", "value": "true", "effect": "NoSchedule"}])
    try:
        result = run(api, "secure_accelerator_access", settings={"pod_timeout": 8})
    finally:
        taint(api, "sim-gpu-0", [])
    assert result.status == FAIL
    exclusive = step(result, "gpu_pods_exclusive")
    assert exclusive.status == FAIL
    assert "saw running: none" in exclusive.message and "untolerated taint" in exclusive.message
    assert statuses(result)["no_request_pod_runs"] == FAIL


def test_dra_mode_on_shared_cluster(api):
    # 2 kwok nodes x 1 GPU published as DRA devices: 2 claim pods run, the third cannot get a device.
    wait_verifier_pods_gone(api)
    result = run(api, "secure_accelerator_access", settings={"allocation_mode": "dra", "pod_timeout": 60})
    exclusive = step(result, "gpu_pods_exclusive")
    assert exclusive.status == PASS, result.to_dict()
    assert exclusive.evidence["allocation_mode"] == "dra"
    assert "cannot allocate all claims" in exclusive.message
    phases = sorted(p["phase"] for p in exclusive.evidence["pods"].values())
    assert phases == ["Pending", "Running", "Running", "Running"]  # any one of the 3 GPU pods may be the one left


def test_device_plugin_mode_on_two_nodes_and_the_max_gpus_bound(api):
    wait_verifier_pods_gone(api)
    both = step(run(api, "secure_accelerator_access", settings={"pod_timeout": 60}), "gpu_pods_exclusive")
    assert both.status == PASS and sorted(both.evidence["nodes"]) == ["sim-gpu-0", "sim-gpu-1"], both.to_dict()
    assert both.evidence["allocation_mode"] == "device-plugin"
    wait_verifier_pods_gone(api)
    bounded = step(run(api, "secure_accelerator_access", settings={"max_gpus": 1, "pod_timeout": 60}),
                   "gpu_pods_exclusive")
    assert bounded.status == PASS and list(bounded.evidence["nodes"]) == ["sim-gpu-0"]
    assert len(bounded.evidence["pods"]) == 3  # 1 GPU pod + 1 extra + the probe
