"""driver_runtime_management against the simulated cluster (GFD-style labels + DRA slices on kwok nodes)."""

from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS, SKIP

from tests.integration.checks.accel_support import added, run, statuses, step
from tests.sim import nodes


def test_advertised_consistent_and_matching_nvidia_smi(api):
    smi = "0, %s, NVIDIA H100 80GB HBM3, %s\n" % (nodes.gpu_uuid("sim-gpu-0", 0), nodes.DRIVER_VERSION)
    result = run(api, "driver_runtime_management", hosts={"sim-gpu-0": {"nvidia_smi": smi, "toolkit_config": None}})
    assert statuses(result) == {"versions_advertised": PASS, "versions_consistent": PASS,
                                "host_versions_match": PASS}, result.to_dict()
    info = step(result, "versions_advertised").evidence["nodes"]["sim-gpu-0"]
    assert info["driver_source"] == "DRA ResourceSlice attribute driverVersion"
    assert info["runtime"] == nodes.CONTAINER_RUNTIME and info["simulated"] is True


def test_without_hosts_the_host_comparison_is_skipped(api):
    assert statuses(run(api, "driver_runtime_management"))["host_versions_match"] == SKIP


def test_nvidia_smi_mismatch_names_host_and_versions(api):
    result = run(api, "driver_runtime_management", hosts={"sim-gpu-1": {"nvidia_smi": "driver_version\n570.86.10\n"}})
    assert result.status == FAIL
    assert "sim-gpu-1: nvidia-smi reports driver 570.86.10 but node sim-gpu-1 advertises" in result.message


def test_node_with_other_driver_and_no_runtime_label_fails(api):
    odd = nodes.gpu_node_manifest("sim-gpu-odd", 1, labels={"nvidia.com/cuda.driver-version.full": "570.86.10"})
    del odd["metadata"]["labels"]["nvidia.com/cuda.runtime-version.full"]
    with added(api, odd):
        result = run(api, "driver_runtime_management")
    got = statuses(result)
    assert got["versions_advertised"] == FAIL and got["versions_consistent"] == FAIL
    assert "sim-gpu-odd: no cuda version advertised" in result.message
    assert "driver versions differ across GPU nodes: 570.86.10, 580.95.5" in result.message
