# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Requirement dra_support: the DRA API is served, and (active) a claim gets allocated to a running pod."""

from __future__ import annotations

from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS, SKIP, Step

ID = "dra_support"
GROUP, VERSION = "resource.k8s.io", "v1"
# plural -> namespaced, as `kubectl api-resources --api-group=resource.k8s.io` shows on a conformant cluster.
EXPECTED = {"deviceclasses": False, "resourceclaims": True, "resourceclaimtemplates": True, "resourceslices": False}
PREFERRED_CLASS = "gpu.nvidia.com"

SETTINGS = {
    "device_class": ("", "DeviceClass the test claim asks for; empty picks gpu.nvidia.com, else the first one"),
    "pod_timeout": (120, "seconds the claim pod may take to be allocated and Running"),
}


def served_step(api):
    served = kube.served_resources(api, GROUP + "/" + VERSION)
    seen = {plural: served[plural]["namespaced"] for plural in EXPECTED if plural in served}
    missing = sorted(set(EXPECTED) - set(seen))
    wrong_scope = sorted(p for p in seen if seen[p] != EXPECTED[p])
    evidence = {"group_version": GROUP + "/" + VERSION,
                "served": {p: ("namespaced" if n else "cluster") for p, n in sorted(seen.items())}}
    if missing or wrong_scope:
        problems = []
        if missing:
            problems.append("not served: " + ", ".join(missing))
        if wrong_scope:
            problems.append("wrong scope: " + ", ".join(wrong_scope))
        return Step("api_served", FAIL, "resource.k8s.io/v1 " + "; ".join(problems), evidence)
    return Step("api_served", PASS, "resource.k8s.io/v1 serves deviceclasses, resourceclaims, "
                "resourceclaimtemplates and resourceslices with the expected scope", evidence)


def pick_class(classes, slices, wanted):
    """The DeviceClass name to claim from, or (None, reason)."""
    names = sorted(c["metadata"]["name"] for c in classes)
    if wanted:
        return (wanted, None) if wanted in names else (None, "DeviceClass %s not found (present: %s)"
                                                       % (wanted, ", ".join(names) or "none"))
    if not names:
        return None, "no DeviceClass exists"
    if not slices:
        return None, "no ResourceSlice is published, so there is no device to allocate"
    return (PREFERRED_CLASS if PREFERRED_CLASS in names else names[0]), None


def claim_manifests(ctx, device_class):
    template = {
        "apiVersion": GROUP + "/" + VERSION, "kind": "ResourceClaimTemplate",
        "metadata": {"name": "dra-check", "labels": ctx.labels},
        "spec": {"spec": {"devices": {"requests": [
            {"name": "device", "exactly": {"deviceClassName": device_class}}]}}},
    }
    pod = kube.pause_pod("dra-check", ctx.labels, tolerations=kube.DEFAULT_TOLERATIONS)
    pod["spec"]["resourceClaims"] = [{"name": "device", "resourceClaimTemplateName": "dra-check"}]
    pod["spec"]["containers"][0]["resources"] = {"claims": [{"name": "device"}]}
    return template, pod


def allocation_step(ctx):
    from kubernetes import client

    api = ctx.api
    classes = kube.list_objects(api, GROUP, VERSION, "deviceclasses")
    slices = kube.list_objects(api, GROUP, VERSION, "resourceslices")
    device_class, reason = pick_class(classes, slices, kube.option(ctx, SETTINGS, "device_class"))
    evidence = {"deviceclasses": sorted(c["metadata"]["name"] for c in classes), "resourceslices": len(slices)}
    if device_class is None:
        status = FAIL if kube.option(ctx, SETTINGS, "device_class") else SKIP
        return Step("claim_allocated", status, "allocation not tested: " + reason, evidence)

    namespace = ctx.scratch_namespace()
    template, pod = claim_manifests(ctx, device_class)
    kube.create_object(api, GROUP, VERSION, "resourceclaimtemplates", template, namespace)
    core = client.CoreV1Api(api)
    core.create_namespaced_pod(namespace, pod)

    def allocated_claim():
        current = core.read_namespaced_pod("dra-check", namespace)
        if not kube.running(current):
            return None
        for ref in (current.status.resource_claim_statuses or []):
            claim = kube.get_object(api, GROUP, VERSION, "resourceclaims", ref.resource_claim_name, namespace) \
                if ref.resource_claim_name else None
            if claim and (claim.get("status") or {}).get("allocation"):
                return current, claim
        return None

    found = kube.wait_until(allocated_claim, kube.wait_seconds(ctx, SETTINGS, "pod_timeout"))
    evidence["device_class"] = device_class
    if found:
        current, claim = found
        results = claim["status"]["allocation"]["devices"].get("results") or []
        evidence.update(pod=kube.pod_state(current), claim=claim["metadata"]["name"],
                        allocated=[{k: r.get(k) for k in ("driver", "pool", "device")} for r in results],
                        simulated_node=_simulated(core, current.spec.node_name))
        devices = ", ".join(str(r.get("device")) for r in results)
        return Step("claim_allocated", PASS, "a pod with a ResourceClaimTemplate for DeviceClass %s runs on %s "
                    "with device(s) %s allocated" % (device_class, current.spec.node_name, devices), evidence)

    current = core.read_namespaced_pod("dra-check", namespace)
    claims = kube.list_objects(api, GROUP, VERSION, "resourceclaims", namespace=namespace)
    evidence.update(pod=kube.pod_state(current), events=kube.pod_events(core, namespace, "dra-check")[-5:],
                    claims=[{"name": c["metadata"]["name"], "allocated": bool((c.get("status") or {}).get("allocation"))}
                            for c in claims])
    return Step("claim_allocated", FAIL, "the DRA test pod was not Running with an allocated claim within %gs "
                "(phase %s; claims %s; scheduling: %s)" % (
                    kube.wait_seconds(ctx, SETTINGS, "pod_timeout"), evidence["pod"]["phase"],
                    evidence["claims"] or "none created",
                    (evidence["pod"]["scheduled"] or {}).get("message") or "no verdict"), evidence)


def _simulated(core, node_name):
    return bool(node_name) and kube.is_simulated(core.read_node(node_name))


def run(ctx):
    steps = [served_step(ctx.api)]
    if not ctx.active:
        steps.append(Step("claim_allocated", SKIP, "passive run: claim allocation not tested"))
    elif steps[0].status != PASS:
        steps.append(Step("claim_allocated", SKIP, "allocation not tested: the DRA API is not fully served"))
    else:
        steps.append(allocation_step(ctx))
    return steps
