"""Shared fakes for unit tests of check logic (no cluster): typed V1Node objects."""

import pytest
from kubernetes import client


def _node(name, labels=None, allocatable=None, capacity=None, runtime="containerd://2.1.5-k3s1",
          simulated=False):
    return client.V1Node(
        metadata=client.V1ObjectMeta(name=name, labels=labels or {},
                                     annotations={"kwok.x-k8s.io/node": "fake"} if simulated else {}),
        status=client.V1NodeStatus(
            allocatable=allocatable or {}, capacity=capacity if capacity is not None else (allocatable or {}),
            node_info=client.V1NodeSystemInfo(
                architecture="amd64", boot_id="", container_runtime_version=runtime, kernel_version="",
                kube_proxy_version="", kubelet_version="", machine_id="", operating_system="linux",
                os_image="", system_uuid="")))


@pytest.fixture
def fake_node():
    """fake_node(name, labels=None, allocatable=None, ...) -> kubernetes.client.V1Node."""
    return _node
