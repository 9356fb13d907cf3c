"""DeviceClass choice of dra_support."""

import pytest

from ansible_collections.ai_conformance.rke2.plugins.module_utils.checks import dra_support as check

pytestmark = pytest.mark.unit


def classes(*names):
    return [{"metadata": {"name": n}} for n in names]


def test_prefers_nvidia_class_then_first():
    assert check.pick_class(classes("b.example", "gpu.nvidia.com"), [{}], "") == ("gpu.nvidia.com", None)
    assert check.pick_class(classes("b.example", "a.example"), [{}], "") == ("a.example", None)


def test_no_class_or_no_slice_gives_reason():
    assert check.pick_class([], [{}], "")[0] is None
    name, reason = check.pick_class(classes("gpu.nvidia.com"), [], "")
    assert name is None and "ResourceSlice" in reason


def test_named_class_must_exist():
    assert check.pick_class(classes("gpu.nvidia.com"), [], "gpu.nvidia.com") == ("gpu.nvidia.com", None)
    name, reason = check.pick_class(classes("gpu.nvidia.com"), [{}], "mig.nvidia.com")
    assert name is None and "mig.nvidia.com" in reason and "gpu.nvidia.com" in reason


def test_waits_are_capped_by_the_run_timeout():
    from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube
    from ansible_collections.ai_conformance.rke2.plugins.module_utils.context import CheckContext

    assert kube.wait_seconds(CheckContext(None, check.ID, "MUST", timeout=30), check.SETTINGS, "pod_timeout") == 30
    assert kube.wait_seconds(CheckContext(None, check.ID, "MUST", settings={"pod_timeout": 5}, timeout=30),
                             check.SETTINGS, "pod_timeout") == 5
