"""Version logic of driver_runtime_management: DRA vs labels, nvidia-smi parsing, host matching."""

import pytest

from ansible_collections.ai_conformance.rke2.plugins.module_utils.checks import driver_runtime_management as check
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS, SKIP


pytestmark = pytest.mark.unit

LABELS = {"nvidia.com/gpu.present": "true", check.DRIVER_LABEL: "580.95.05", check.CUDA_LABEL: "13.0"}


def slice_for(node_name, driver="580.95.5", cuda="13.0.0"):
    return {"spec": {"driver": "gpu.nvidia.com", "nodeName": node_name, "devices": [
        {"name": "gpu-0", "attributes": {"driverVersion": {"version": driver},
                                         "cudaDriverVersion": {"version": cuda}}}]}}


def test_normalise_equates_label_and_semver_forms():
    assert check.normalise("580.95.05") == check.normalise("580.95.5")
    assert check.normalise("13.0") == check.normalise("13.0.0")
    assert check.normalise("580.95.05") != check.normalise("580.82.07")


def test_dra_attributes_preferred_over_labels(fake_node):
    info, problems = check.advertised(fake_node("n1", LABELS), check.dra_versions([slice_for("n1")]))
    assert not problems
    assert info["driver"] == "580.95.5" and info["driver_source"].startswith("DRA")
    assert info["runtime"] == "containerd://2.1.5-k3s1"


def test_label_and_dra_disagreement_is_a_problem(fake_node):
    problems = check.advertised(fake_node("n1", LABELS), check.dra_versions([slice_for("n1", driver="570.1.2")]))[1]
    assert problems and "580.95.05" in problems[0] and "570.1.2" in problems[0]


def test_labels_used_without_dra(fake_node):
    info, problems = check.advertised(fake_node("n1", LABELS), {})
    assert not problems and info["driver"] == "580.95.05" and info["driver_source"] == "label " + check.DRIVER_LABEL


@pytest.mark.parametrize("text,expected", [
    ("driver_version\n580.95.05\n580.95.05\n", ["580.95.05"]),
    ("580.95.05\n", ["580.95.05"]),
    ("name, driver_version\nNVIDIA H100, 580.95.05\n", ["580.95.05"]),
    # the verify playbook's query: index,uuid,name,driver_version --format=csv,noheader
    ("0, GPU-1a2b, NVIDIA H100 80GB HBM3, 580.95.05\n1, GPU-3c4d, NVIDIA H100 80GB HBM3, 580.95.05\n", ["580.95.05"]),
    ("0, GPU-1a2b, NVIDIA H100 80GB HBM3, [N/A]\n", []),
    ("", []),
])
def test_parse_nvidia_smi(text, expected):
    assert check.parse_nvidia_smi(text) == expected


def test_hosts_step_mismatch_names_host_and_both_versions():
    info = {"gpu1.example.com": {"driver": "580.95.05"}}
    step = check.hosts_step({"gpu1": {"nvidia_smi": "driver_version\n570.86.10\n"}}, info)
    assert step.status == FAIL
    assert "gpu1" in step.message and "570.86.10" in step.message and "580.95.05" in step.message
    ok = check.hosts_step({"gpu1": {"nvidia_smi": "driver_version\n580.95.05\n"}}, info)
    assert ok.status == PASS


def test_hosts_step_skips_without_output_or_matching_node():
    assert check.hosts_step({}, {}).status == SKIP
    assert check.hosts_step({"other": {"nvidia_smi": "580.95.05"}}, {"n1": {"driver": "580.95.05"}}).status == SKIP


def test_hosts_match_nodes_by_address_too():
    info = {"gpu-a": {"driver": "580.95.05", "addresses": ["10.0.0.5", "gpu-a"]}}
    assert check.match_node("10.0.0.5", info) == "gpu-a"
    assert check.match_node("gpu-a.example.com", info) == "gpu-a"
    assert check.match_node("10.0.0.6", info) is None
