"""robust_controller against the simulated cluster's real API server, without an AI operator.

A passing run needs a real operator (controller + webhook); none runs on the simulated cluster, so
passing runs are left to a cluster with one (or to the add-ons, should an operator be added there).
Here: no operator -> fail naming what was looked for; the operator's CRD alone (a TEST FIXTURE CRD
named like the training-operator's, schema-less) -> fail on controller and webhook, and actively an
invalid PyTorchJob is accepted (no webhook) and a valid one is never reconciled -> fail.

The check's webhook and reconcile mechanics are also run against the one real controller with
admission webhooks on the simulated cluster, Kueue (sim add-on `kueue`), described through the
custom_operator setting. Kueue is a job-queueing controller, NOT an AI operator: these tests prove the
check's classification (webhook denial vs schema rejection) and reconcile detection, not conformance.
"""

import pytest

from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS, SKIP

from tests.integration.checks.accel_support import added, run, statuses, step

FIXTURE_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "pytorchjobs.kubeflow.org", "labels": {"test-fixture": "crd-without-operator"}},
    "spec": {"group": "kubeflow.org", "scope": "Namespaced",
             "names": {"plural": "pytorchjobs", "singular": "pytorchjob", "kind": "PyTorchJob"},
             "versions": [{"name": "v1", "served": True, "storage": True, "subresources": {"status": {}},
                           "schema": {"openAPIV3Schema": {"type": "object",
                                                          "x-kubernetes-preserve-unknown-fields": True}}}]}}


def test_no_operator_fails(api):
    result = run(api, "robust_controller")
    assert result.status == FAIL, result.to_dict()
    assert "no AI operator installed" in result.message
    for group in ("trainer.kubeflow.org", "kubeflow.org", "ray.io"):
        assert group in result.message


def test_wanted_operator_absent_fails(api):
    result = run(api, "robust_controller", settings={"operator": "kuberay"})
    assert result.status == FAIL and "KubeRay (ray.io)" in result.message and "kubeflow.org" not in result.message


@pytest.fixture(scope="module")
def crd_only(sim_factory):
    cluster = sim_factory("crds-no-controllers", gpu_nodes=2, gpus_per_node=1, dra=False)
    api = cluster.api_client()
    with added(api, FIXTURE_CRD):
        assert kube.wait_until(lambda: kube.crds_of_group(api, "kubeflow.org")["pytorchjobs.kubeflow.org"][
            "established"], 30)
        yield api


def test_crd_without_controller_or_webhook_fails(crd_only):
    result = run(crd_only, "robust_controller", settings={"reconcile_timeout_s": 4})
    assert statuses(result) == {"crds": PASS, "controller": SKIP, "webhook": FAIL,
                                "invalid_rejected": FAIL, "valid_reconciled": FAIL}, result.to_dict()
    assert "the reconcile test decides" in step(result, "controller").message
    assert "no ValidatingWebhookConfiguration has a rule for API group kubeflow.org" in step(result, "webhook").message
    assert "an invalid PyTorchJob (the Master container has no image) was accepted" in \
        step(result, "invalid_rejected").message
    assert "got no status from the controller within 4 s" in step(result, "valid_reconciled").message
    assert result.cleaned_up


def test_passive_run_creates_nothing(crd_only):
    result = run(crd_only, "robust_controller", active=False)
    assert statuses(result) == {"crds": PASS, "controller": FAIL, "webhook": FAIL}
    assert "Deployment not found" in step(result, "controller").message
    assert not result.cleaned_up


KUEUE_GV = "kueue.x-k8s.io/v1beta2"
KUEUE_AS_OPERATOR = {"name": "Kueue (test vehicle, not an AI operator)", "group": "kueue.x-k8s.io",
                     "crds": ["clusterqueues", "resourceflavors"], "deployments": [], "names": []}


def cluster_queue(name, spec):
    return {"apiVersion": KUEUE_GV, "kind": "ClusterQueue", "metadata": {"name": name}, "spec": spec}


# The resource names a flavor lists must be its group's coveredResources: Kueue's webhook checks that.
WEBHOOK_INVALID = cluster_queue("aiconf-invalid", {"resourceGroups": [{"coveredResources": ["cpu"], "flavors": [
    {"name": "default", "resources": [{"name": "memory", "nominalQuota": 1}]}]}]})
# borrowingLimit without a cohort is refused by the CRD's CEL rule, before any webhook.
SCHEMA_INVALID = cluster_queue("aiconf-invalid", {"resourceGroups": [{"coveredResources": ["cpu"], "flavors": [
    {"name": "default", "resources": [{"name": "cpu", "nominalQuota": 1, "borrowingLimit": 1}]}]}]})
VALID = cluster_queue("aiconf-valid", {"namespaceSelector": {}, "resourceGroups": [{"coveredResources": ["cpu"], "flavors": [
    {"name": "default", "resources": [{"name": "cpu", "nominalQuota": 1}]}]}]})


@pytest.fixture(scope="module")
def kueue_sim(sim_factory):
    return sim_factory("kueue-only", gpu_nodes=2, gpus_per_node=1, dra=False, addons=["kueue"]).api_client()


def test_real_webhook_denial_and_reconcile_pass(kueue_sim):
    result = run(kueue_sim, "robust_controller", settings={
        "custom_operator": KUEUE_AS_OPERATOR, "invalid_manifest": WEBHOOK_INVALID, "valid_manifest": VALID,
        "reconcile_timeout_s": 60})
    assert statuses(result) == {"crds": PASS, "controller": SKIP, "webhook": PASS, "invalid_rejected": PASS,
                                "valid_reconciled": PASS}, result.to_dict()
    assert 'admission webhook "vclusterqueue.kb.io" denied the request' in step(result, "invalid_rejected").message
    assert step(result, "valid_reconciled").evidence["status"]["conditions"]
    assert "ClusterQueue/aiconf-valid" in result.cleaned_up


def test_schema_rejection_is_not_webhook_evidence(kueue_sim):
    result = run(kueue_sim, "robust_controller", settings={
        "custom_operator": KUEUE_AS_OPERATOR, "invalid_manifest": SCHEMA_INVALID, "valid_manifest": VALID,
        "reconcile_timeout_s": 60})
    assert statuses(result)["invalid_rejected"] == FAIL, result.to_dict()
    message = step(result, "invalid_rejected").message
    assert "but not by an admission webhook" in message and "borrowingLimit must be nil" in message
