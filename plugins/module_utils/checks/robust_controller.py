# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Requirement robust_controller (KAR-0063): an AI operator with CRDs installs and works: CRDs
Established, controller Ready, a validating webhook for its API group; actively, an invalid custom
resource is rejected by that webhook (server-side dry-run) and a valid one is reconciled (the
controller writes its status)."""

from __future__ import annotations

import time

from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS, SKIP, Step

ID = "robust_controller"

PAUSE = "registry.k8s.io/pause:3.10"


def _pytorchjob(image):
    container = {"name": "pytorch"}
    if image:
        container["image"] = image
    return {"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "metadata": {"name": "aiconf-pytorchjob"},
            "spec": {"pytorchReplicaSpecs": {"Master": {"replicas": 1, "restartPolicy": "Never",
                                                        "template": {"spec": {"containers": [container]}}}}}}


def _raycluster(duplicate_group):
    group = {"groupName": "workers", "replicas": 0, "minReplicas": 0, "maxReplicas": 1, "rayStartParams": {},
             "template": {"spec": {"containers": [{"name": "ray-worker", "image": PAUSE}]}}}
    return {"apiVersion": "ray.io/v1", "kind": "RayCluster", "metadata": {"name": "aiconf-raycluster"},
            "spec": {"headGroupSpec": {"rayStartParams": {},
                                       "template": {"spec": {"containers": [{"name": "ray-head", "image": PAUSE}]}}},
                     "workerGroupSpecs": [group, group] if duplicate_group else [group]}}


def _trainjob(runtime):
    return {"apiVersion": "trainer.kubeflow.org/v1alpha1", "kind": "TrainJob", "metadata": {"name": "aiconf-trainjob"},
            "spec": {"runtimeRef": {"name": runtime}}}


# Known operators, in the order they are looked for. `invalid` must be refused by the operator's
# webhook (not by the CRD schema); `valid` must get a status from the controller.
OPERATORS = {
    "kubeflow-trainer": {
        "name": "Kubeflow Trainer", "group": "trainer.kubeflow.org",
        "crds": ("trainjobs", "trainingruntimes", "clustertrainingruntimes"),
        "deployments": ("app.kubernetes.io/name=trainer", "app.kubernetes.io/name=kubeflow-trainer"),
        "names": ("kubeflow-trainer-controller-manager",),
        "invalid": _trainjob("aiconf-no-such-runtime"), "valid": _trainjob("torch-distributed"),
        "why_invalid": "runtimeRef names a ClusterTrainingRuntime that does not exist",
    },
    "training-operator": {
        "name": "Kubeflow Training Operator", "group": "kubeflow.org", "crds": ("pytorchjobs",),
        "deployments": ("control-plane=kubeflow-training-operator", "app.kubernetes.io/name=training-operator"),
        "names": ("training-operator",),
        "invalid": _pytorchjob(None), "valid": _pytorchjob(PAUSE),
        "why_invalid": "the Master container has no image",
    },
    "kuberay": {
        "name": "KubeRay", "group": "ray.io", "crds": ("rayclusters", "rayjobs"),
        "deployments": ("app.kubernetes.io/name=kuberay-operator", "app.kubernetes.io/component=kuberay-operator"),
        "names": ("kuberay-operator",),
        "invalid": _raycluster(True), "valid": _raycluster(False),
        "why_invalid": "two worker groups share one groupName",
    },
}

SETTINGS = {
    "operator": ("", "which operator to test (%s); empty: the first one installed" % ", ".join(OPERATORS)),
    "invalid_manifest": ({}, "a custom resource the operator's webhook must reject (overrides the built-in one)"),
    "valid_manifest": ({}, "a custom resource the operator must reconcile (overrides the built-in one)"),
    "reconcile_timeout_s": (120, "how long the controller may take to write the valid resource's status"),
    "custom_operator": ({}, "an operator that is not built in: {name, group, crds: [plurals], deployments: [label "
                            "selectors], names: [Deployment names]}; needs invalid_manifest and valid_manifest"),
}


def pick_operator(crds_by_group, wanted="", operators=None):
    """(key, operator) of the first known operator whose CRDs are present (or the wanted one), else (None, None)."""
    for key, operator in (operators or OPERATORS).items():
        if (not wanted or key == wanted) and crds_by_group.get(operator["group"]):
            return key, operator
    return None, None


def crd_step(operator, crds):
    names = ["%s.%s" % (plural, operator["group"]) for plural in operator["crds"]]
    bad = [n for n in names if not (crds.get(n) or {}).get("established")]
    evidence = {"crds": {n: crds.get(n) for n in names}}
    if bad:
        return Step("crds", FAIL, "%s CRDs missing or not Established: %s" % (operator["name"], ", ".join(bad)), evidence)
    return Step("crds", PASS, "%s CRDs Established: %s" % (operator["name"], ", ".join(names)), evidence)


def webhook_step(operator, webhooks):
    validating = webhooks.get("validatingwebhookconfigurations") or []
    if not validating:
        return Step("webhook", FAIL, "no ValidatingWebhookConfiguration has a rule for API group %s"
                    % operator["group"], {"webhooks": webhooks})
    return Step("webhook", PASS, "validating webhook(s) for %s: %s" % (operator["group"], ", ".join(validating[:3])),
                {"webhooks": webhooks})


def rejection_step(operator, status, message, why):
    """Step for the dry-run of an invalid resource: only a webhook's denial passes."""
    evidence = {"http_status": status, "message": message, "why_invalid": why}
    kind = operator["invalid_kind"]
    if status < 300:
        return Step("invalid_rejected", FAIL, "an invalid %s (%s) was accepted" % (kind, why), evidence)
    if kube.denied_by_webhook(message):
        return Step("invalid_rejected", PASS, "the webhook rejected an invalid %s (%s): %s" % (kind, why, message),
                    evidence)
    if kube.webhook_unreachable(message):
        return Step("invalid_rejected", FAIL, "the webhook could not be called: %s" % message, evidence)
    return Step("invalid_rejected", FAIL, "an invalid %s was refused (%s), but not by an admission webhook: %s"
                % (kind, status, message), evidence)


def reconciled(obj):
    """The status the controller wrote ({} or None when it wrote none)."""
    return (obj or {}).get("status") or None


def _deployments(ctx, operator):
    for selector in operator["deployments"]:
        found = kube.list_json(ctx.api, "/apis/apps/v1/deployments", {"labelSelector": selector})
        if found:
            return found
    for name in operator["names"]:
        found = kube.list_json(ctx.api, "/apis/apps/v1/deployments", {"fieldSelector": "metadata.name=" + name})
        if found:
            return found
    return []


def controller_step(operator, deployments, active):
    """Step from the operator's Deployments (dicts). Without one, an active run lets the reconcile test decide
    (a controller running outside the cluster shows itself only by reconciling); a passive run fails."""
    shown, ready = kube.deployment_summary(deployments)
    if ready:
        return Step("controller", PASS, "%s controller ready: %s" % (operator["name"], ", ".join(shown)),
                    {"deployments": shown})
    if shown:
        return Step("controller", FAIL, "%s controller not ready: %s" % (operator["name"], ", ".join(shown)),
                    {"deployments": shown})
    looked = "labels %s, names %s" % (", ".join(operator["deployments"]) or "-", ", ".join(operator["names"]) or "-")
    if active:
        return Step("controller", SKIP, "no %s controller Deployment found (%s); the reconcile test decides whether "
                    "a controller runs" % (operator["name"], looked), {"looked_for": looked})
    return Step("controller", FAIL, "%s controller Deployment not found (%s)" % (operator["name"], looked),
                {"looked_for": looked})


def run(ctx):
    custom = kube.option(ctx, SETTINGS, "custom_operator")
    if custom:
        operators = {"custom": dict({"deployments": (), "names": (), "why_invalid": "user-supplied"}, **custom)}
        if not (kube.option(ctx, SETTINGS, "invalid_manifest") and kube.option(ctx, SETTINGS, "valid_manifest")):
            raise ValueError("custom_operator needs the invalid_manifest and valid_manifest settings")
    else:
        operators = OPERATORS
    crds_by_group = {op["group"]: kube.crds_of_group(ctx.api, op["group"]) for op in operators.values()}
    wanted = kube.option(ctx, SETTINGS, "operator")
    _key, operator = pick_operator(crds_by_group, wanted, operators)
    if operator is None:
        looked = [("%s (%s)" % (op["name"], op["group"])) for k, op in operators.items() if not wanted or k == wanted]
        return [Step("operator", FAIL, "no AI operator installed: no CRDs of %s" % ", ".join(looked),
                     {"looked_for": looked})]
    crds = crds_by_group[operator["group"]]
    steps = [crd_step(operator, crds)]
    steps.append(controller_step(operator, _deployments(ctx, operator), ctx.active))
    steps.append(webhook_step(operator, kube.webhooks_for_group(ctx.api, operator["group"])))
    if ctx.active:
        steps += exercise(ctx, operator, crds)
    return steps


def exercise(ctx, operator, crds):
    invalid = kube.option(ctx, SETTINGS, "invalid_manifest") or operator["invalid"]
    valid = kube.option(ctx, SETTINGS, "valid_manifest") or operator["valid"]
    why = operator["why_invalid"] if not kube.option(ctx, SETTINGS, "invalid_manifest") else "user-supplied"
    namespace = ctx.scratch_namespace()
    steps = []
    path, body = _placed(crds, invalid, namespace)
    status, message = kube.dry_run_create(ctx.api, path, body)
    steps.append(rejection_step(dict(operator, invalid_kind=invalid["kind"]), status, message, why))
    path, body = _placed(crds, valid, namespace)
    created = ctx.create(body, namespace=body["metadata"].get("namespace"))
    path += "/" + created["metadata"]["name"]
    timeout = kube.budget(ctx, kube.option(ctx, SETTINGS, "reconcile_timeout_s"))
    started = time.monotonic()
    status_seen = kube.wait_until(lambda: reconciled(kube.get_json(ctx.api, path)), timeout, interval=2)
    if status_seen:
        steps.append(Step("valid_reconciled", PASS, "the controller wrote the status of %s %s in %.0f s" % (
            valid["kind"], created["metadata"]["name"], time.monotonic() - started), {"status": status_seen}))
    else:
        steps.append(Step("valid_reconciled", FAIL, "%s %s got no status from the controller within %d s" % (
            valid["kind"], created["metadata"]["name"], timeout), {"object": path}))
    return steps


def _placed(crds, manifest, namespace):
    """(collection path, manifest) for creating `manifest`: in `namespace` when its CRD is namespaced."""
    state = next((c for c in crds.values() if c.get("kind") == manifest["kind"]), {})
    plural = state.get("plural") or manifest["kind"].lower() + "s"
    if state.get("namespaced", True):
        return ("/apis/%s/namespaces/%s/%s" % (manifest["apiVersion"], namespace, plural),
                dict(manifest, metadata=dict(manifest["metadata"], namespace=namespace)))
    return "/apis/%s/%s" % (manifest["apiVersion"], plural), manifest
