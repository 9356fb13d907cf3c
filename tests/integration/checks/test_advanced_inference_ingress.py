"""advanced_inference_ingress against the simulated cluster with the real InferencePool CRD.

The CRD comes from the Gateway API Inference Extension Go module (fetched through the Go module proxy,
cached in GOMODCACHE). No inference gateway runs here: the accepted state is written into the pool's
status by the test, a stand-in for a GAIE-capable Gateway controller, and named so.
"""

import pytest

from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS

from tests.integration.checks.accel_support import added, go_module_yaml, namespace_manifest, run, wait_served

GAIE_VERSION = "v1.1.0"
CRD_FILE = "config/crd/bases/inference.networking.k8s.io_inferencepools.yaml"


@pytest.fixture(scope="module")
def pool_crd(api):
    crd = go_module_yaml("sigs.k8s.io/gateway-api-inference-extension", GAIE_VERSION, CRD_FILE)
    with added(api, crd):
        wait_served(api, "inference.networking.k8s.io/v1", "inferencepools")
        yield crd


def pool(namespace, status=None):
    manifest = {"apiVersion": "inference.networking.k8s.io/v1", "kind": "InferencePool",
                "metadata": {"name": "llm", "namespace": namespace},
                "spec": {"selector": {"matchLabels": {"app": "vllm"}}, "targetPorts": [{"number": 8000}],
                         "endpointPickerRef": {"name": "llm-epp", "port": {"number": 9002}}}}
    if status:
        manifest["status"] = status
    return manifest


def test_extension_not_installed_fails(api):
    if "inferencepools" in kube.served_resources(api, "inference.networking.k8s.io/v1"):
        pytest.skip("an InferencePool CRD is installed on this cluster")
    result = run(api, "advanced_inference_ingress")
    assert result.status == FAIL and "Gateway API Inference Extension not installed" in result.message


def test_crd_without_pool_fails(api, pool_crd):
    result = run(api, "advanced_inference_ingress")
    assert result.status == FAIL and "no InferencePool exists" in result.message


def test_pool_without_accepting_gateway_fails(api, pool_crd):
    ns = namespace_manifest("gaie")
    with added(api, ns, pool(ns["metadata"]["name"])):
        result = run(api, "advanced_inference_ingress")
    assert result.status == FAIL and "no InferencePool is accepted by a Gateway" in result.message


def test_pool_accepted_by_gateway_passes(api, pool_crd):
    ns = namespace_manifest("gaie")
    status = {"parents": [{"parentRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "inference"},
                           "conditions": [{"type": "Accepted", "status": "True", "reason": "Accepted",
                                           "message": "written by the test (stand-in for a gateway controller)",
                                           "lastTransitionTime": "2026-01-01T00:00:00Z", "observedGeneration": 1}]}]}
    with added(api, ns, pool(ns["metadata"]["name"], status)):
        result = run(api, "advanced_inference_ingress")
    assert result.status == PASS
    assert "%s/llm (by inference)" % ns["metadata"]["name"] in result.message
