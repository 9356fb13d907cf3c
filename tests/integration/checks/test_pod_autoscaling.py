"""pod_autoscaling against the simulated cluster's real API server, without a metrics adapter.

Passing runs need the real prometheus-adapter (sim add-on `prometheus-adapter`) and the HPA controller:
the add-ons engineer's tests. Here: no custom/external metrics APIService -> fail; an APIService whose
backend is down (ExternalName Service to a closed loopback port) -> fail with the aggregator's reason.
"""

from kubernetes import client

from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL

from tests.integration.checks.accel_support import added, run, statuses, step
from tests.integration.checks.observability_fixtures import external_name_service, fixture_http_server


def test_no_metrics_apiservice_fails(api):
    result = run(api, "pod_autoscaling")
    assert statuses(result) == {"metrics_api": FAIL}, result.to_dict()
    assert "no custom or external metrics API registered" in result.message
    assert not result.cleaned_up


def test_apiservice_with_dead_backend_fails(api):
    with fixture_http_server({}) as server:
        port = server.server_port  # closed again when the block ends: nothing listens there
    namespace = "it-dead-metrics-adapter"
    apiservice = {"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
                  "metadata": {"name": "v1beta1.custom.metrics.k8s.io"},
                  "spec": {"group": "custom.metrics.k8s.io", "version": "v1beta1", "groupPriorityMinimum": 100,
                           "versionPriority": 100, "insecureSkipTLSVerify": True,
                           "service": {"namespace": namespace, "name": "adapter", "port": port}}}
    svc = dict(external_name_service(namespace, "adapter", port, port_name="https"), apiVersion="v1", kind="Service")
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
    registration = client.ApiregistrationV1Api(api)

    def judged():
        conds = registration.read_api_service("v1beta1.custom.metrics.k8s.io").status.conditions or []
        return any(c.type == "Available" and c.status == "False" for c in conds)

    # The APIService goes first out again (added() deletes in reverse): an unavailable APIService
    # would block namespace deletion cluster-wide (kubernetes#75788).
    with added(api, ns, svc, apiservice):
        assert kube.wait_until(judged, 30)
        result = run(api, "pod_autoscaling")
    assert statuses(result) == {"metrics_api": FAIL}, result.to_dict()
    message = step(result, "metrics_api").message
    assert "metrics APIService not Available: v1beta1.custom.metrics.k8s.io" in message
    assert step(result, "metrics_api").evidence["apiservices"]["v1beta1.custom.metrics.k8s.io"]["service"] == \
        namespace + "/adapter"
