"""Node resource matching of high_performance_networking."""

import pytest

from ansible_collections.ai_conformance.rke2.plugins.module_utils.checks import high_performance_networking as check


pytestmark = pytest.mark.unit

PATTERNS = check.SETTINGS["resource_patterns"][0]


def test_rdma_and_sriov_resources_found_zero_ignored(fake_node):
    nodes = [fake_node("a", allocatable={"rdma/hca_shared_devices_a": "1000", "cpu": "8"}),
             fake_node("b", allocatable={"nvidia.com/gpu": "8", "openshift.io/sriov_nic": "0"}),
             fake_node("c", allocatable={"intel.com/sriov_netdevice": "4"})]
    assert check.nic_resources(nodes, PATTERNS) == {"a": {"rdma/hca_shared_devices_a": "1000"},
                                                    "c": {"intel.com/sriov_netdevice": "4"}}
