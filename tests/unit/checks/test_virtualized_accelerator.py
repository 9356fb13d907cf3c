"""vGPU node detection of virtualized_accelerator."""

import pytest

from ansible_collections.ai_conformance.rke2.plugins.module_utils.checks import virtualized_accelerator as check


pytestmark = pytest.mark.unit


def test_vgpu_labels(fake_node):
    assert check.is_vgpu_node(fake_node("a", {"nvidia.com/vgpu.present": "true"}))
    assert check.is_vgpu_node(fake_node("b", {"nvidia.com/vgpu.host-driver-version": "550.54.16"}))
    assert not check.is_vgpu_node(fake_node("c", {"nvidia.com/gpu.present": "true"}))
    assert not check.is_vgpu_node(fake_node("d", {"nvidia.com/vgpu.present": "false"}))
