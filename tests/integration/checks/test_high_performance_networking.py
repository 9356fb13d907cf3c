"""high_performance_networking against the simulated cluster: DRA network slices or RDMA node resources."""

from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS

from tests.integration.checks.accel_support import added, go_module_yaml, namespace_manifest, run, wait_served
from tests.sim import nodes


def test_nothing_found_fails(api):
    result = run(api, "high_performance_networking")
    assert result.status == FAIL
    assert "NetworkAttachmentDefinition API not served" in result.message


def test_dranet_style_resource_slice_passes(api):
    # The shape DRANET publishes (driver dra.net, one device per NIC with RDMA attributes).
    rs = {"apiVersion": "resource.k8s.io/v1", "kind": "ResourceSlice", "metadata": {"name": "sim-gpu-0-dra-net"},
          "spec": {"driver": "dra.net", "nodeName": "sim-gpu-0", "pool": {"name": "sim-gpu-0", "resourceSliceCount": 1},
                   "devices": [{"name": "eth1", "attributes": {"dra.net/rdma": {"bool": True},
                                                               "dra.net/ifName": {"string": "eth1"}}}]}}
    with added(api, rs):
        result = run(api, "high_performance_networking")
    assert result.status == PASS and "DRA network devices from dra.net" in result.message
    assert result.steps[0].evidence["dra_network_slices"] == {"dra.net": {"sim-gpu-0": 1}}


def test_rdma_node_resource_passes(api):
    node = nodes.gpu_node_manifest("sim-rdma-0", 0)
    node["status"]["capacity"]["rdma/hca_shared_devices_a"] = "100"
    with added(api, node):
        result = run(api, "high_performance_networking")
    assert result.status == PASS and "RDMA/SR-IOV resources on 1 node(s)" in result.message


def test_multus_network_attachment_definition_passes(api):
    crd = go_module_yaml("github.com/k8snetworkplumbingwg/network-attachment-definition-client", "v1.7.7",
                         "artifacts/networks-crd.yaml")
    ns = namespace_manifest("multus")
    nad = {"apiVersion": "k8s.cni.cncf.io/v1", "kind": "NetworkAttachmentDefinition",
           "metadata": {"name": "rdma-net", "namespace": ns["metadata"]["name"]},
           "spec": {"config": '{"cniVersion": "0.3.1", "type": "host-device", "device": "ib0"}'}}
    with added(api, crd):
        wait_served(api, "k8s.cni.cncf.io/v1", "network-attachment-definitions")
        with added(api, ns, nad):
            result = run(api, "high_performance_networking")
    assert result.status == PASS and "1 Multus NetworkAttachmentDefinition(s)" in result.message
    assert result.steps[0].evidence["network_attachment_definitions"] == ["%s/rdma-net" % ns["metadata"]["name"]]
