"""RuntimeClass choice of workload_sandboxing."""

import pytest
from kubernetes import client

from ansible_collections.ai_conformance.rke2.plugins.module_utils.checks import workload_sandboxing as check

pytestmark = pytest.mark.unit


def rc(name, handler):
    return client.V1RuntimeClass(metadata=client.V1ObjectMeta(name=name), handler=handler)


def test_picks_sandbox_handlers_only():
    classes = [rc("nvidia", "nvidia"), rc("kata", "kata-qemu"), rc("gvisor", "runsc")]
    assert check.pick(classes, "")[0].metadata.name == "gvisor"
    assert check.pick([rc("nvidia", "nvidia")], "")[0] is None


def test_named_class_must_exist():
    assert check.pick([rc("gvisor", "runsc")], "kata")[0] is None
    assert check.pick([rc("gvisor", "runsc")], "gvisor")[0].handler == "runsc"
    assert not check.is_sandbox(rc("nvidia", "nvidia"))
