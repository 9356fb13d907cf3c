"""advanced_inference_ingress against the simulated cluster with the real InferencePool CRD.

The CRD comes from the Gateway API Inference Extension Go module (fetched through the Go module proxy,
cached in GOMODCACHE). No inference gateway runs here: the accepted state is written into the pool's
status by the test, a stand-in for a GAIE-capable Gateway controller, and named so.
"""

import json
import subprocess

import pytest
import yaml

from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS

from tests.integration.checks.accel_support import added, namespace_manifest, run

GAIE_VERSION = "v1.1.0"
CRD_FILE = "config/crd/bases/inference.networking.k8s.io_inferencepools.yaml"


@pytest.fixture(scope="module")
def pool_crd(api):
    proc = subprocess.run(["go", "mod", "download", "-json", "sigs.k8s.io/gateway-api-inference-extension@" + GAIE_VERSION],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_go_env())
    if proc.returncode != 0:
        pytest.skip("InferencePool CRD not available (go mod download failed): " + proc.stdout[-300:])
    with open("%s/%s" % (json.loads(proc.stdout)["Dir"], CRD_FILE)) as handle:
        crd = yaml.safe_load(handle)
    crd.pop("status", None)  # controller-gen output carries an empty status; the API server owns it
    with added(api, crd):
        assert kube.wait_until(lambda: "inferencepools" in kube.served_resources(api, "inference.networking.k8s.io/v1"),
                               30)
        yield crd


def _go_env():
    import os

    return dict(os.environ, GOFLAGS="")


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
