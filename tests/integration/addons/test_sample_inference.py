"""Workload metrics on a simulated cluster: Prometheus discovers the inference STAND-IN through its
annotated Service (Kubernetes service discovery against the simulated API server), scrapes it, and
ai_service_metrics passes on that; without Prometheus it fails."""

from __future__ import annotations

from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS

from tests.integration.addons.addon_support import run_check, statuses, step
from tests.sim.addons import prometheus, sample_inference


def test_prometheus_discovers_and_scrapes_the_annotated_service(addon_sim):
    def up():
        return prometheus.query(addon_sim, 'up{job="kubernetes-services",service="%s"}' % sample_inference.SERVICE)

    assert kube.wait_until(lambda: any(r["value"][1] == "1" for r in up()), 30), up()
    target = up()[0]["metric"]
    assert target["namespace"] == sample_inference.NAMESPACE and target["stand_in"] == "true"
    sample_inference.send_requests(addon_sim, 5)
    query = 'sum(ai_conformance_inference_requests_total{namespace="%s"})' % sample_inference.NAMESPACE
    assert kube.wait_until(lambda: float((prometheus.query(addon_sim, query) or [{"value": [0, "0"]}])[0]["value"][1])
                           >= 8, 30)


def test_ai_service_metrics_passes_on_a_discovered_workload(addon_sim):
    result = run_check(addon_sim.api_client(), "ai_service_metrics")
    assert result.status == PASS, result.to_dict()
    assert statuses(result)["workload_target"] == PASS
    assert sample_inference.SERVICE in str(step(result, "workload_target").evidence)


def test_ai_service_metrics_fails_without_prometheus(api):
    result = run_check(api, "ai_service_metrics", active=False)
    assert result.status == FAIL and "no Prometheus found" in result.message
