# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Requirement cluster_autoscaling (KAR-0055, conditional: "if the platform provides a cluster
autoscaler"): GPU node groups scale up for a pending GPU pod and back down after it is gone.

Detection: a cluster-autoscaler Deployment (well-known labels or the autoscaler_deployment setting)
or, for an autoscaler running outside the cluster (the simulated cluster's, or a managed one), its
status ConfigMap `cluster-autoscaler-status` whose `time` heartbeat (rewritten every scan, ~10 s)
is recent. A stale ConfigMap without a Deployment means an autoscaler that is not running: fail.
"""

from __future__ import annotations

import calendar
import re
import time

from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS, SKIP, Step

ID = "cluster_autoscaling"

SETTINGS = {
    "autoscaler_deployment": ("", "namespace/name of the cluster-autoscaler Deployment; empty: find it by label"),
    "status_configmap": ("", "namespace/name of its status ConfigMap; empty: cluster-autoscaler-status in any namespace"),
    "max_status_age_s": (180, "a status ConfigMap older than this means the autoscaler is not running (CA FAQ: 3 min)"),
    "node_selector": ({}, "extra nodeSelector for the scale-up pod, to aim at one GPU node group"),
    "gpus_per_pod": (1, "nvidia.com/gpu requested by the scale-up pod"),
    "scale_up_timeout_s": (600, "how long a new GPU node and the bound pod may take"),
    "scale_down_timeout_s": (900, "how long the group may take to return to its baseline (scale-down-unneeded-time "
                                  "+ delay after add); 0 skips the scale-down step"),
}

DEPLOYMENT_LABELS = ("app.kubernetes.io/name=cluster-autoscaler", "app=cluster-autoscaler",
                     "k8s-app=cluster-autoscaler")
STATUS_NAME = "cluster-autoscaler-status"
# Where a node names its node group: kwok provider annotation, then cloud node-pool labels.
GROUP_KEYS = ("cluster-autoscaler.kwok.nodegroup/name", "kubernetes.azure.com/agentpool", "agentpool",
              "eks.amazonaws.com/nodegroup", "cloud.google.com/gke-nodepool")
_VMSS = re.compile(r"/virtualMachineScaleSets/([^/]+)/")
_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?")


def parse_status_time(text):
    """Epoch seconds of a CA status time ('2026-07-26 10:00:00.123 +0000 UTC m=+1.2'), or None."""
    match = _TIME.search(text or "")
    if not match:
        return None
    stamp = calendar.timegm(time.strptime("%s %s" % match.group(1, 2), "%Y-%m-%d %H:%M:%S"))
    zone = match.group(3)
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        stamp -= sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    return stamp


def parse_status(data):
    """{'time', 'autoscaler_status', 'node_groups': {name: {min, max, target, health}}} of the ConfigMap's 'status'."""
    import yaml

    text = data or ""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError:
        doc = None
    if not isinstance(doc, dict) or "time" not in doc:  # before CA 1.30: free text "Cluster-autoscaler status at <time>:"
        return {"time": parse_status_time(text), "autoscaler_status": None, "node_groups": {}, "format": "text"}
    groups = {}
    for group in doc.get("nodeGroups") or []:
        health = group.get("health") or {}
        groups[group.get("name")] = {"min": health.get("minSize"), "max": health.get("maxSize"),
                                     "target": health.get("cloudProviderTarget"), "health": health.get("status")}
    return {"time": parse_status_time(str(doc.get("time", ""))), "autoscaler_status": doc.get("autoscalerStatus"),
            "node_groups": groups, "format": "yaml"}


def node_group(node):
    """The node group a typed V1Node belongs to, from annotations, labels or an Azure VMSS providerID."""
    meta = node.metadata
    for key in GROUP_KEYS:
        value = (meta.annotations or {}).get(key) or (meta.labels or {}).get(key)
        if value:
            return value
    match = _VMSS.search(node.spec.provider_id or "")
    return match.group(1) if match else None


def gpu_groups(nodes):
    """{group or '(no group)': [GPU node names]} for nodes with allocatable nvidia.com/gpu."""
    groups = {}
    for node in nodes:
        if kube.gpu_count(node) > 0:
            groups.setdefault(node_group(node) or "(no group)", []).append(node.metadata.name)
    return groups


def detect(deployments, configmap, now, max_age):
    """(status, message, evidence) from the autoscaler Deployment(s) and the status ConfigMap (dicts or None)."""
    evidence = {}
    status = parse_status((configmap.get("data") or {}).get("status")) if configmap else None
    if configmap:
        meta = configmap["metadata"]
        evidence["status_configmap"] = "%s/%s" % (meta["namespace"], meta["name"])
        evidence["status"] = {k: status[k] for k in ("autoscaler_status", "node_groups", "format")}
        if status["time"] is not None:
            evidence["status_age_s"] = round(now - status["time"], 1)
    if deployments:
        evidence["deployments"], ready = kube.deployment_summary(deployments)
        if not ready:
            return FAIL, "cluster-autoscaler Deployment not ready: %s" % ", ".join(evidence["deployments"]), evidence
        return PASS, "cluster-autoscaler Deployment ready: %s" % ", ".join(evidence["deployments"]), evidence
    if not configmap:
        return SKIP, ("no cluster autoscaler installed (no Deployment labelled %s, no %s ConfigMap)"
                      % (" / ".join(DEPLOYMENT_LABELS), STATUS_NAME)), evidence
    age = evidence.get("status_age_s")
    if age is None:
        return FAIL, "%s has no readable status time; cannot tell whether an autoscaler runs" % (
            evidence["status_configmap"]), evidence
    if age > max_age:
        return FAIL, ("%s was last written %d s ago (> %d s) and no autoscaler Deployment exists: the autoscaler is "
                      "not running" % (evidence["status_configmap"], age, max_age)), evidence
    return PASS, ("autoscaler running outside the cluster: no Deployment, but %s written %d s ago (%s)"
                  % (evidence["status_configmap"], age, status["autoscaler_status"] or "status text")), evidence


def _find_deployments(ctx):
    named = kube.option(ctx, SETTINGS, "autoscaler_deployment")
    if named:
        namespace, _sep, name = named.partition("/")
        found = kube.get_or_none(ctx.api, "/apis/apps/v1/namespaces/%s/deployments/%s" % (namespace, name))
        return [found] if found else []
    for selector in DEPLOYMENT_LABELS:
        found = kube.list_json(ctx.api, "/apis/apps/v1/deployments", {"labelSelector": selector})
        if found:
            return found
    return []


def _find_configmap(ctx):
    named = kube.option(ctx, SETTINGS, "status_configmap")
    if named:
        namespace, _sep, name = named.partition("/")
        return kube.get_or_none(ctx.api, "/api/v1/namespaces/%s/configmaps/%s" % (namespace, name))
    found = kube.list_json(ctx.api, "/api/v1/configmaps", {"fieldSelector": "metadata.name=" + STATUS_NAME})
    return found[0] if found else None


def run(ctx):
    from kubernetes import client

    status, message, evidence = detect(_find_deployments(ctx), _find_configmap(ctx), time.time(),
                                       kube.option(ctx, SETTINGS, "max_status_age_s"))
    steps = [Step("autoscaler", status, message, evidence)]
    if status != PASS:
        return steps
    core = client.CoreV1Api(ctx.api)
    nodes = kube.list_all(core.list_node)
    groups = gpu_groups(nodes)
    known = set((evidence.get("status") or {}).get("node_groups") or {})
    autoscaled = {g: n for g, n in groups.items() if g in known or (not known and g != "(no group)")}
    group_evidence = {"gpu_nodes_by_group": groups, "autoscaler_node_groups": sorted(known)}
    if autoscaled:
        steps.append(Step("gpu_node_groups", PASS, "GPU nodes in autoscaled node group(s): %s" % ", ".join(
            "%s (%d)" % (g, len(n)) for g, n in sorted(autoscaled.items())), group_evidence))
    elif ctx.active:
        steps.append(Step("gpu_node_groups", SKIP, "no GPU node belongs to an autoscaled group now (scale from zero?); "
                                                   "the scale-up test decides", group_evidence))
    else:
        steps.append(Step("gpu_node_groups", FAIL, "no GPU node belongs to a node group of the autoscaler (groups: %s); "
                          "a scale-from-zero GPU group can only be shown by the active test"
                          % (", ".join(sorted(known)) or "none reported"), group_evidence))
    if ctx.active:
        steps += scale_up_and_down(ctx, core, nodes)
    return steps


def scale_pod(name, labels, gpus, exclude_hosts, node_selector):
    """A GPU pod no existing GPU node may host (hostname NotIn), so only a new node can take it."""
    pod = kube.pause_pod(name, labels, gpus=gpus, node_selector=node_selector or None)
    if exclude_hosts:
        pod["spec"]["affinity"] = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchExpressions": [
                {"key": "kubernetes.io/hostname", "operator": "NotIn", "values": sorted(exclude_hosts)}]}]}}}
    return pod


def scale_up_and_down(ctx, core, nodes):
    from kubernetes.client.rest import ApiException

    namespace = ctx.scratch_namespace()
    baseline = {n.metadata.name for n in nodes if kube.gpu_count(n) > 0}
    hosts = {(n.metadata.labels or {}).get("kubernetes.io/hostname", n.metadata.name)
             for n in nodes if kube.gpu_count(n) > 0}
    pod = scale_pod("gpu-scale-up", ctx.labels, kube.option(ctx, SETTINGS, "gpus_per_pod"), hosts,
                    kube.option(ctx, SETTINGS, "node_selector"))
    core.create_namespaced_pod(namespace, pod)
    started = time.monotonic()
    seen = {}

    def bound_on_new_node():
        current = core.read_namespaced_pod("gpu-scale-up", namespace)
        seen["events"] = kube.pod_events(core, namespace, "gpu-scale-up")
        seen["node"] = current.spec.node_name
        seen["phase"] = current.status.phase
        return current.spec.node_name and current.status.phase == "Running"

    up_timeout = kube.budget(ctx, kube.option(ctx, SETTINGS, "scale_up_timeout_s"))
    kube.wait_until(bound_on_new_node, up_timeout, interval=5)
    triggered = [m for r, m in seen.get("events", []) if r == "TriggeredScaleUp"]
    evidence = {"baseline_gpu_nodes": len(baseline), "pod_events": ["%s: %s" % e for e in seen.get("events", [])][-8:],
                "node": seen.get("node"), "phase": seen.get("phase")}
    new_node = None
    if seen.get("node") and seen["node"] not in baseline:
        new_node = core.read_node(seen["node"])
    if not (triggered and new_node is not None and kube.gpu_count(new_node) > 0 and seen.get("phase") == "Running"):
        missing = [what for what, ok in (("a TriggeredScaleUp event", triggered),
                                         ("a new GPU node", new_node is not None and kube.gpu_count(new_node) > 0),
                                         ("the pod Running on it", seen.get("phase") == "Running")) if not ok]
        return [Step("scale_up", FAIL, "within %d s the pending GPU pod got no %s" % (up_timeout, ", ".join(missing)),
                     evidence)]
    evidence.update(triggered_scale_up=triggered[0], new_node_group=node_group(new_node),
                    new_node_gpus=kube.gpu_count(new_node), simulated_node=kube.is_simulated(new_node),
                    scale_up_s=round(time.monotonic() - started, 1))
    steps = [Step("scale_up", PASS, "TriggeredScaleUp (%s); new GPU node %s registered in %.0f s and the pod runs on it"
                  % (triggered[0], new_node.metadata.name, evidence["scale_up_s"]), evidence)]
    down_timeout = kube.option(ctx, SETTINGS, "scale_down_timeout_s")
    core.delete_namespaced_pod("gpu-scale-up", namespace, grace_period_seconds=0)
    if not down_timeout:
        steps.append(Step("scale_down", SKIP, "scale-down not observed (scale_down_timeout_s is 0)"))
        return steps
    down_timeout = kube.budget(ctx, down_timeout)
    started = time.monotonic()

    def node_gone():
        try:
            core.read_node(new_node.metadata.name)
            return False
        except ApiException as exc:
            if exc.status == 404:
                return True
            raise

    gone = kube.wait_until(node_gone, down_timeout, interval=10)
    after = {n.metadata.name for n in kube.list_all(core.list_node) if kube.gpu_count(n) > 0}
    down = {"node": new_node.metadata.name, "gpu_nodes_after": len(after), "baseline_gpu_nodes": len(baseline),
            "waited_s": round(time.monotonic() - started, 1)}
    if gone and len(after) <= len(baseline):
        steps.append(Step("scale_down", PASS, "node %s removed after %.0f s; GPU nodes back to %d (baseline %d)"
                          % (new_node.metadata.name, down["waited_s"], len(after), len(baseline)), down))
    else:
        steps.append(Step("scale_down", FAIL, "after %d s node %s %s; %d GPU nodes (baseline %d)" % (
            down_timeout, new_node.metadata.name, "is gone" if gone else "still exists", len(after), len(baseline)),
            down))
    return steps
