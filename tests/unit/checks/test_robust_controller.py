"""Decision logic of robust_controller (no cluster)."""

import pytest

from ansible_collections.ai_conformance.rke2.plugins.module_utils.checks import robust_controller as check
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS, SKIP

pytestmark = pytest.mark.unit

EST = {"established": True, "served": ["v1"], "plural": "pytorchjobs", "kind": "PyTorchJob", "namespaced": True}
OP = dict(check.OPERATORS["training-operator"], invalid_kind="PyTorchJob")


def test_pick_operator_order_and_wanted():
    groups = {"kubeflow.org": {"pytorchjobs.kubeflow.org": EST}, "ray.io": {"rayclusters.ray.io": EST}}
    assert check.pick_operator(groups)[0] == "training-operator"
    assert check.pick_operator(groups, "kuberay")[0] == "kuberay"
    assert check.pick_operator(groups, "kubeflow-trainer") == (None, None)
    assert check.pick_operator({}) == (None, None)


def test_crds_not_established_fail():
    assert check.crd_step(OP, {"pytorchjobs.kubeflow.org": EST}).status == PASS
    step = check.crd_step(OP, {"pytorchjobs.kubeflow.org": dict(EST, established=False)})
    assert step.status == FAIL and "pytorchjobs.kubeflow.org" in step.message


def test_webhook_must_be_validating():
    assert check.webhook_step(OP, {}).status == FAIL
    assert check.webhook_step(OP, {"mutatingwebhookconfigurations": ["m/x"]}).status == FAIL
    assert check.webhook_step(OP, {"validatingwebhookconfigurations": ["v/x"]}).status == PASS


WEBHOOK_DENIAL = ('admission webhook "validator.pytorchjob.training-operator.kubeflow.org" denied the request: '
                  'spec.pytorchReplicaSpecs[Master].template.spec.containers[0].image: Required value')


@pytest.mark.parametrize("status,message,expected,fragment", [
    (400, WEBHOOK_DENIAL, PASS, "webhook rejected"),
    (201, "", FAIL, "was accepted"),
    (422, 'PyTorchJob.kubeflow.org "x" is invalid: spec.x: Required value', FAIL, "not by an admission webhook"),
    (500, 'Internal error occurred: failed calling webhook "v": connection refused', FAIL, "could not be called"),
])
def test_only_a_webhook_denial_passes(status, message, expected, fragment):
    step = check.rejection_step(OP, status, message, "no image")
    assert step.status == expected and fragment in step.message


def test_reconciled_means_a_status_was_written():
    assert not check.reconciled({"metadata": {}})
    assert not check.reconciled({"status": {}})
    assert check.reconciled({"status": {"conditions": [{"type": "Created"}]}})


def test_builtin_invalid_and_valid_differ_only_in_the_broken_field():
    op = check.OPERATORS["training-operator"]
    assert "image" not in op["invalid"]["spec"]["pytorchReplicaSpecs"]["Master"]["template"]["spec"]["containers"][0]
    assert op["valid"]["spec"]["pytorchReplicaSpecs"]["Master"]["template"]["spec"]["containers"][0]["image"]
    ray = check.OPERATORS["kuberay"]
    assert len(ray["invalid"]["spec"]["workerGroupSpecs"]) == 2 and len(ray["valid"]["spec"]["workerGroupSpecs"]) == 1


def test_controller_without_deployment_defers_to_reconcile_only_when_active():
    assert check.controller_step(OP, [], active=True).status == SKIP
    step = check.controller_step(OP, [], active=False)
    assert step.status == FAIL and "Deployment not found" in step.message
    ready = {"metadata": {"namespace": "kubeflow", "name": "training-operator"}, "spec": {"replicas": 1},
             "status": {"readyReplicas": 1}}
    assert check.controller_step(OP, [ready], active=False).status == PASS
    assert check.controller_step(OP, [dict(ready, status={})], active=True).status == FAIL


def test_placed_uses_the_crd_scope():
    crds = {"pytorchjobs.kubeflow.org": EST, "clusterthings.kubeflow.org": {
        "established": True, "plural": "clusterthings", "kind": "ClusterThing", "namespaced": False}}
    path, body = check._placed(crds, {"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob",
                                      "metadata": {"name": "a"}}, "ns")
    assert path == "/apis/kubeflow.org/v1/namespaces/ns/pytorchjobs" and body["metadata"]["namespace"] == "ns"
    path, body = check._placed(crds, {"apiVersion": "kubeflow.org/v1", "kind": "ClusterThing",
                                      "metadata": {"name": "b"}}, "ns")
    assert path == "/apis/kubeflow.org/v1/clusterthings" and "namespace" not in body["metadata"]
