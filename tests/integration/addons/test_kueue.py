"""Kueue on a simulated cluster: the gang_scheduling check's all-or-nothing test passes with it
(webhooks reached through the API server, controller admitting a fitting gang, holding an
oversized one) and fails without a gang scheduler."""

from __future__ import annotations

from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS

from tests.integration.addons.addon_support import run_check, statuses


def test_gang_scheduling_passes_with_kueue(addon_sim):
    result = run_check(addon_sim.api_client(), "gang_scheduling", settings={"window_s": 20})
    assert result.status == PASS, result.to_dict()
    assert statuses(result)["gang_fits"] == PASS and statuses(result)["gang_does_not_fit"] == PASS
    assert "admission webhook" in result.message or statuses(result)["controller"] == PASS


def test_gang_scheduling_fails_without_a_gang_scheduler(api):
    result = run_check(api, "gang_scheduling", active=False)
    assert result.status == FAIL and "no gang scheduler installed" in result.message
