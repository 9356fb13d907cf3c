"""dra_support against the simulated cluster: DRA v1 served, a claim allocated from kwok nodes' slices."""

from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS, SKIP

from tests.integration.checks.accel_support import added, run, statuses, step


def test_served_and_claim_allocated(api):
    result = run(api, "dra_support")
    assert statuses(result) == {"api_served": PASS, "claim_allocated": PASS}, result.to_dict()
    evidence = step(result, "claim_allocated").evidence
    assert evidence["device_class"] == "gpu.nvidia.com"
    assert evidence["allocated"][0]["driver"] == "gpu.nvidia.com"
    assert evidence["simulated_node"] is True
    assert result.cleaned_up  # the scratch namespace was deleted


def test_passive_run_only_reads(api):
    result = run(api, "dra_support", active=False)
    assert statuses(result) == {"api_served": PASS, "claim_allocated": SKIP}


def test_unknown_device_class_fails(api):
    result = run(api, "dra_support", settings={"device_class": "mig.nvidia.com"})
    assert result.status == FAIL
    assert "mig.nvidia.com not found" in result.message


def test_class_matching_no_device_fails_with_pending_pod(api):
    nothing = {"apiVersion": "resource.k8s.io/v1", "kind": "DeviceClass", "metadata": {"name": "none.example.com"},
               "spec": {"selectors": [{"cel": {"expression": "device.driver == 'none.example.com'"}}]}}
    with added(api, nothing):
        result = run(api, "dra_support", settings={"device_class": "none.example.com", "pod_timeout": 8})
    assert result.status == FAIL
    claim = step(result, "claim_allocated")
    assert claim.evidence["pod"]["phase"] == "Pending"
    assert "not Running with an allocated claim" in claim.message
