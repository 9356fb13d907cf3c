"""workload_sandboxing against the simulated cluster: RuntimeClass detection and a pod that uses it."""

from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS, SKIP

from tests.integration.checks.accel_support import added, run, statuses


def runtime_class(name, handler):
    return {"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass", "metadata": {"name": name}, "handler": handler}


def test_no_sandbox_runtimeclass_fails(api):
    with added(api, runtime_class("nvidia", "nvidia")):
        result = run(api, "workload_sandboxing")
    assert result.status == FAIL and "no RuntimeClass with a sandbox handler" in result.message


def test_gvisor_runtimeclass_pod_runs_kernel_part_skipped(api):
    with added(api, runtime_class("gvisor", "runsc")):
        result = run(api, "workload_sandboxing", settings={"pod_timeout": 30})
    assert statuses(result) == {"sandbox_runtimeclass": PASS, "sandboxed_pod_runs": PASS, "kernel_isolated": SKIP}
    assert result.status == PASS


def test_named_class_with_plain_handler_fails(api):
    with added(api, runtime_class("sandbox", "runc")):
        result = run(api, "workload_sandboxing", settings={"runtime_class": "sandbox"})
    assert result.status == FAIL and "handler runc, not a sandbox runtime" in result.message
