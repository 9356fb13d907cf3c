"""Sharing detection of gpu_sharing on node fakes."""

import pytest

from ansible_collections.ai_conformance.rke2.plugins.module_utils.checks import gpu_sharing as check


pytestmark = pytest.mark.unit


@pytest.fixture
def kinds(fake_node):
    return lambda labels, allocatable: check.node_sharing(fake_node("n", labels, allocatable))[0]


def test_time_slicing_by_replicas_label(kinds):
    assert kinds({"nvidia.com/gpu.replicas": "4", "nvidia.com/gpu.sharing-strategy": "time-slicing",
                  "nvidia.com/gpu.count": "1"}, {"nvidia.com/gpu": "4"}) == {"time-slicing"}


def test_oversubscription_by_allocatable_above_count(kinds):
    assert kinds({"nvidia.com/gpu.count": "1"}, {"nvidia.com/gpu": "4"}) == {"time-slicing"}


def test_mig_mixed_and_single(kinds):
    assert kinds({"nvidia.com/mig.strategy": "mixed"}, {"nvidia.com/mig-1g.10gb": "7"}) == {"mig (mixed strategy)"}
    assert kinds({"nvidia.com/mig.strategy": "single", "nvidia.com/gpu.product": "A100-SXM4-40GB-MIG-1g.5gb"},
                 {"nvidia.com/gpu": "7"}) == {"mig (single strategy)"}


def test_plain_gpu_node_shows_no_sharing(kinds):
    assert kinds({"nvidia.com/gpu.count": "1", "nvidia.com/gpu.replicas": "1", "nvidia.com/mig.strategy": "single",
                  "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3"}, {"nvidia.com/gpu": "1"}) == set()
    assert kinds({}, {"nvidia.com/gpu": "1", "nvidia.com/mig-1g.10gb": "0"}) == set()


def test_time_sliced_node_needs_a_physical_count_and_skips_mig(fake_node):
    ts = fake_node("b", {"nvidia.com/gpu.count": "2"}, {"nvidia.com/gpu": "8"})
    mig = fake_node("a", {"nvidia.com/gpu.count": "1"}, {"nvidia.com/mig-1g.10gb": "7"})
    unknown = fake_node("c", {}, {"nvidia.com/gpu": "8"})
    sharing = {"a": ["mig (mixed strategy)"], "b": ["time-slicing"], "c": ["time-slicing"]}
    node, physical = check.time_sliced_node([unknown, mig, ts], sharing)
    assert node.metadata.name == "b" and physical == 2
    assert check.time_sliced_node([mig, unknown], sharing) == (None, 0)
