"""Traefik's Gateway API provider on a simulated cluster: ai_inference passes on the status Traefik
writes itself, and fails without a gateway controller."""

from __future__ import annotations

from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS

from tests.integration.addons.addon_support import run_check, statuses, step


def test_gatewayclass_is_accepted_by_traefik_itself(addon_sim):
    gwc = kube.get_object(addon_sim.api_client(), "gateway.networking.k8s.io", "v1", "gatewayclasses", "traefik")
    accepted = kube.condition(gwc, "Accepted")
    assert accepted["status"] == "True" and accepted["message"] == "Handled by Traefik controller", accepted
    writers = {m.get("manager") for m in gwc["metadata"]["managedFields"] if m.get("subresource") == "status"}
    assert writers and all("traefik" in w.lower() for w in writers), writers


def test_ai_inference_passes_on_traefik_status(addon_sim):
    result = run_check(addon_sim.api_client(), "ai_inference")
    assert result.status == PASS, result.to_dict()
    assert statuses(result) == {"gateway_api_served": PASS, "gatewayclass_accepted": PASS,
                                "weighted_header_route": PASS}
    route = step(result, "weighted_header_route").evidence
    assert route["httproute"]["status_written_by"] and route["gateway"]["status_written_by"]
    assert all("traefik" in w.lower() for w in route["httproute"]["status_written_by"])


def test_ai_inference_fails_without_a_gateway_controller(api):
    """The shared cluster has the Gateway API CRDs but no controller and no GatewayClass."""
    result = run_check(api, "ai_inference", active=False)
    assert result.status == FAIL and "GatewayClass traefik does not exist" in result.message
