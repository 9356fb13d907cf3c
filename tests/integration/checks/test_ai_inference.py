"""ai_inference against the simulated cluster (Gateway API CRDs, no Gateway controller).

The passing run with a real controller (Traefik) belongs to the add-ons tests; here: the served-API part
passes, and every state without a controller's acceptance fails, naming what it saw.
"""

from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS, SKIP

import pytest

from tests.integration.checks.accel_support import added, run, statuses, step, wait_served

GWC = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass", "metadata": {"name": "traefik"},
       "spec": {"controllerName": "traefik.io/gateway-controller"}}


@pytest.fixture(autouse=True)
def gateway_api_ready(request):
    """The shared cluster's Gateway API CRDs can still be establishing right after start-up."""
    if "api" in request.fixturenames:
        wait_served(request.getfixturevalue("api"), "gateway.networking.k8s.io/v1", "grpcroutes")


def test_gateway_api_served_but_no_gatewayclass_fails(api):
    result = run(api, "ai_inference")
    assert statuses(result) == {"gateway_api_served": PASS, "gatewayclass_accepted": FAIL,
                                "weighted_header_route": SKIP}
    assert "GatewayClass traefik does not exist" in result.message
    assert step(result, "gateway_api_served").evidence["referencegrants_versions"]


def test_gatewayclass_without_controller_is_not_accepted(api):
    with added(api, GWC):
        result = run(api, "ai_inference")
    assert statuses(result)["gatewayclass_accepted"] == FAIL
    # The CRD's default status is what the check sees when no controller runs.
    assert "Accepted=Unknown" in result.message


def test_gatewayclass_for_another_controller_fails(api):
    other = dict(GWC, spec={"controllerName": "example.com/other"})
    with added(api, other):
        result = run(api, "ai_inference")
    assert "names controller example.com/other" in result.message


def test_status_written_without_controller_still_fails_on_the_route(api):
    # Stand-in: the test writes Accepted=True into the GatewayClass status itself. No controller runs, so
    # the Gateway and HTTPRoute the check creates are never accepted and the check still fails.
    faked = dict(GWC, status={"conditions": [{
        "type": "Accepted", "status": "True", "reason": "Accepted", "message": "written by the test (stand-in)",
        "lastTransitionTime": "2026-01-01T00:00:00Z", "observedGeneration": 1}]})
    with added(api, faked):
        result = run(api, "ai_inference", settings={"accept_timeout": 6})
    assert statuses(result) == {"gateway_api_served": PASS, "gatewayclass_accepted": PASS,
                                "weighted_header_route": FAIL}
    route = step(result, "weighted_header_route")
    assert "Accepted=Unknown" in route.message and "no status from traefik.io/gateway-controller" in route.message
    assert [b["weight"] for b in route.evidence["httproute"]["rules"][1]["backendRefs"]] == [70, 30]
    assert step(result, "gatewayclass_accepted").evidence["status_written_by"]  # who wrote it is recorded


def test_without_gateway_crds_fails(sim_factory):
    cluster = sim_factory("one-gpu-bare", gpu_nodes=1, gpus_per_node=1, dra=False, gateway_api=False)
    result = run(cluster.api_client(), "ai_inference")
    assert statuses(result) == {"gateway_api_served": FAIL, "gatewayclass_accepted": SKIP}
    assert "missing: gatewayclasses, gateways, httproutes, grpcroutes" in result.message
