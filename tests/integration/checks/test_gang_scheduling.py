"""gang_scheduling against the simulated cluster's real API server, without a running Kueue.

Passing runs need the real Kueue controller: the add-ons engineer's tests (tests/sim/addons, addon
`kueue`). Here: no gang scheduler at all -> fail; Kueue's real CRDs (from its Go module) with no
controller -> fail on the controller; and with a webhook configuration whose server is down -> fail
naming the webhook error. The CRD-only states use their own cluster (CRDs and a dead webhook would
disturb the shared one).
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from kubernetes import client

from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS

from tests.integration.checks.accel_support import added, run, statuses, step
from tests.integration.checks.observability_fixtures import external_name_service


def kueue_crds():
    """Kueue's CRDs as its release installs them, from the Go module the add-on pins (module proxy/cache)."""
    from tests.sim.addons import _common

    version = _common.pins()["ADDON_KUEUE_VERSION"]
    if not shutil.which("go"):
        pytest.skip("go is needed to fetch sigs.k8s.io/kueue@%s" % version)
    info = json.loads(subprocess.run(["go", "mod", "download", "-json", "sigs.k8s.io/kueue@" + version],
                                     check=True, stdout=subprocess.PIPE, text=True).stdout)
    bases = Path(info["Dir"]) / "config" / "components" / "crd" / "bases"
    return [yaml.safe_load(p.read_text()) for p in sorted(bases.glob("kueue.x-k8s.io_*.yaml"))]


@pytest.fixture(scope="module")
def kueue_crds_only(sim_factory):
    cluster = sim_factory("crds-no-controllers", gpu_nodes=2, gpus_per_node=1, dra=False)
    api = cluster.api_client()
    ext = client.ApiextensionsV1Api(api)
    for crd in kueue_crds():
        if not ext.list_custom_resource_definition(field_selector="metadata.name=" + crd["metadata"]["name"]).items:
            ext.create_custom_resource_definition(crd)
    return api


def test_no_gang_scheduler_fails(api):
    result = run(api, "gang_scheduling")
    assert result.status == FAIL, result.to_dict()
    assert "no gang scheduler installed" in result.message and "kueue.x-k8s.io" in result.message
    assert "scheduling.volcano.sh" in result.message


def test_kueue_crds_without_controller_fail(kueue_crds_only):
    api = kueue_crds_only
    assert kube.wait_until(lambda: all(c["established"] for c in kube.crds_of_group(api, "kueue.x-k8s.io").values()),
                           30)
    result = run(api, "gang_scheduling")
    assert statuses(result) == {"crds": PASS, "controller": FAIL}, result.to_dict()
    assert "nothing shows a running controller" in step(result, "controller").message
    assert not result.cleaned_up  # the active part did not start


def test_kueue_webhook_whose_server_is_down_fails(kueue_crds_only):
    api = kueue_crds_only
    namespace = "it-kueue-dead-webhook"
    hook = {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
            "metadata": {"name": "it-kueue-dead-webhook"},
            "webhooks": [{"name": "vresourceflavor.kb.io", "admissionReviewVersions": ["v1"], "sideEffects": "None",
                          "failurePolicy": "Fail", "timeoutSeconds": 3,
                          "clientConfig": {"service": {"namespace": namespace, "name": "nothing", "port": 1,
                                                       "path": "/validate"}},
                          "rules": [{"apiGroups": ["kueue.x-k8s.io"], "apiVersions": ["*"],
                                     "operations": ["CREATE", "UPDATE"], "resources": ["resourceflavors"]}]}]}
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
    svc = dict(external_name_service(namespace, "nothing", 1, port_name="https"), apiVersion="v1", kind="Service")
    with added(api, ns, svc, hook):
        result = run(api, "gang_scheduling")
    assert statuses(result) == {"crds": PASS, "controller": FAIL}, result.to_dict()
    message = step(result, "controller").message
    assert "admission webhook did not accept a valid dry-run create" in message and "failed calling webhook" in message


def fixture_crd(plural, kind, scope):
    """A TEST FIXTURE CRD named like Volcano's (schema-less): Volcano's API without its controllers."""
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "%s.scheduling.volcano.sh" % plural},
            "spec": {"group": "scheduling.volcano.sh", "scope": scope,
                     "names": {"plural": plural, "singular": plural[:-1], "kind": kind},
                     "versions": [{"name": "v1beta1", "served": True, "storage": True,
                                   "subresources": {"status": {}},
                                   "schema": {"openAPIV3Schema": {"type": "object",
                                                                  "x-kubernetes-preserve-unknown-fields": True}}}]}}


def test_volcano_api_without_controllers_fails(api):
    with added(api, fixture_crd("podgroups", "PodGroup", "Namespaced"), fixture_crd("queues", "Queue", "Cluster")):
        assert kube.wait_until(lambda: all(c["established"] for c in kube.crds_of_group(
            api, "scheduling.volcano.sh").values()), 30)
        result = run(api, "gang_scheduling")
    assert statuses(result) == {"crds": PASS, "controller": FAIL}, result.to_dict()
    assert "scheduling.volcano.sh CRDs Established" in step(result, "crds").message
    assert "nothing shows a running controller" in step(result, "controller").message
    assert not result.cleaned_up
