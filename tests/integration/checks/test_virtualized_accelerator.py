"""virtualized_accelerator against the simulated cluster: vGPU labels and the resource they expose."""

from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS

from tests.integration.checks.accel_support import added, run
from tests.sim import nodes


def test_no_vgpu_node_fails(api):
    result = run(api, "virtualized_accelerator")
    assert result.status == FAIL and "is a vGPU node" in result.message


def test_vgpu_node_exposing_nvidia_gpu_passes(api):
    vgpu = nodes.gpu_node_manifest("sim-vgpu-0", 1, labels={"nvidia.com/vgpu.present": "true"})
    with added(api, vgpu):
        result = run(api, "virtualized_accelerator")
    assert result.status == PASS and "sim-vgpu-0" in result.message


def test_vgpu_node_without_gpu_resource_fails(api):
    hidden = nodes.gpu_node_manifest("sim-vgpu-1", 0, labels={"nvidia.com/vgpu.present": "true"})
    with added(api, hidden):
        result = run(api, "virtualized_accelerator")
    assert result.status == FAIL and "sim-vgpu-1 advertise no nvidia.com/gpu" in result.message
