"""KubeRay's ray-operator on a simulated cluster: its CRDs are Established, its validating webhook
(reached through the API server) rejects an invalid RayCluster, and the operator writes the status of a
valid one, so robust_controller passes; without an operator it fails."""

from __future__ import annotations

from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS

from tests.integration.addons.addon_support import run_check, statuses


def test_robust_controller_passes_with_kuberay(addon_sim):
    result = run_check(addon_sim.api_client(), "robust_controller", settings={"operator": "kuberay"})
    assert result.status == PASS, result.to_dict()
    steps = statuses(result)
    assert {k: steps.get(k) for k in ("crds", "webhook", "invalid_rejected", "valid_reconciled")} == \
        dict.fromkeys(("crds", "webhook", "invalid_rejected", "valid_reconciled"), PASS)
    assert "worker group names must be unique" in result.to_dict()["evidence"]["invalid_rejected"]["message"]


def test_robust_controller_fails_without_an_operator(api):
    result = run_check(api, "robust_controller", active=False)
    assert result.status == FAIL and "no AI operator installed" in result.message
