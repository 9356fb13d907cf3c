# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Requirement gpu_sharing: a GPU node exposes time-slicing/MPS replicas or MIG partitions.

Evidence read from the nodes (GPU Feature Discovery labels, allocatable resources) and from DRA
ResourceSlices (devices of type mig). A cluster that shows none of them fails: the requirement is a
SHOULD, and the honest answer for a cluster without sharing is "not implemented". Active, on a
time-sliced node: more one-GPU pods than the node has physical GPUs all run there (KAR-0003 step 2).
"""

from __future__ import annotations

from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS, SKIP, Step

ID = "gpu_sharing"
MIG_RESOURCE_PREFIX = "nvidia.com/mig-"

SETTINGS = {
    "gpu_image": ("registry.k8s.io/pause:3.10", "image of the pods that share one node's GPUs"),
    "pod_timeout": (120, "seconds the sharing pods may take to run"),
}


def node_sharing(node):
    """(kinds of sharing seen, facts) for one GPU node."""
    labels = kube.labels_of(node)
    allocatable = node.status.allocatable or {}
    facts = {k: labels[k] for k in ("nvidia.com/gpu.replicas", "nvidia.com/gpu.sharing-strategy",
                                    "nvidia.com/mig.strategy", "nvidia.com/gpu.count", "nvidia.com/gpu.product")
             if k in labels}
    facts["allocatable_gpu"] = kube.gpu_count(node)
    mig = {k: v for k, v in allocatable.items() if k.startswith(MIG_RESOURCE_PREFIX) and v not in ("0", 0)}
    if mig:
        facts["allocatable_mig"] = mig
    kinds = set()
    replicas = labels.get("nvidia.com/gpu.replicas", "1")
    physical = labels.get("nvidia.com/gpu.count")
    if (replicas.isdigit() and int(replicas) > 1) or (
            physical and physical.isdigit() and int(physical) > 0 and facts["allocatable_gpu"] > int(physical)):
        kinds.add(labels.get("nvidia.com/gpu.sharing-strategy") or "time-slicing")
    if mig:
        kinds.add("mig (mixed strategy)")
    if labels.get("nvidia.com/mig.strategy") == "single" and "-MIG-" in labels.get("nvidia.com/gpu.product", ""):
        kinds.add("mig (single strategy)")
    return kinds, facts


def dra_mig(api):
    """{node: number of MIG devices} published through DRA."""
    if "resourceslices" not in kube.served_resources(api, "resource.k8s.io/v1"):
        return {}
    found = {}
    for rs in kube.list_objects(api, "resource.k8s.io", "v1", "resourceslices"):
        spec = rs.get("spec") or {}
        where = spec.get("nodeName") or "(pool %s)" % (spec.get("pool") or {}).get("name")
        for device in spec.get("devices") or []:
            if ((device.get("attributes") or {}).get("type") or {}).get("string") == "mig":
                found[where] = found.get(where, 0) + 1
    return found


def time_sliced_node(nodes, sharing):
    """(node, physical GPUs) of the first node whose sharing is time-slicing/MPS with a known GPU count."""
    for node in sorted(nodes, key=lambda n: n.metadata.name):
        physical = kube.labels_of(node).get("nvidia.com/gpu.count", "")
        kinds = sharing.get(node.metadata.name, [])
        if physical.isdigit() and int(physical) > 0 and any(not k.startswith("mig") for k in kinds):
            return node, int(physical)
    return None, 0


def oversubscription_step(ctx, node, physical):
    """More one-GPU pods than physical GPUs, pinned to the node, must all run."""
    from kubernetes import client

    core = client.CoreV1Api(ctx.api)
    name = node.metadata.name
    free = kube.gpu_count(node) - kube.gpus_requested_on(core, name)
    wanted = physical + 1
    evidence = {"node": name, "physical_gpus": physical, "allocatable": kube.gpu_count(node), "free": free,
                "simulated": kube.is_simulated(node)}
    if kube.gpu_count(node) < wanted:
        return Step("shared_gpu_pods_run", FAIL, "%s is labelled for sharing (replicas %s) but advertises %d "
                    "nvidia.com/gpu for %d physical GPU(s): no GPU can be shared" % (
                        name, kube.labels_of(node).get("nvidia.com/gpu.replicas", "?"), kube.gpu_count(node),
                        physical), evidence)
    if free < wanted:
        return Step("shared_gpu_pods_run", SKIP, "only %d shared GPU(s) free on %s, %d needed to exceed its %d "
                    "physical GPU(s): not tested" % (free, name, wanted, physical), evidence)
    namespace = ctx.scratch_namespace()
    names = ["shared-%d" % i for i in range(wanted)]
    for pod_name in names:
        pod = kube.pause_pod(pod_name, ctx.labels, gpus=1, tolerations=kube.DEFAULT_TOLERATIONS,
                             image=kube.option(ctx, SETTINGS, "gpu_image"))
        core.create_namespaced_pod(namespace, kube.pin_to_nodes(pod, [name]))
    timeout = kube.wait_seconds(ctx, SETTINGS, "pod_timeout")
    pods = kube.wait_pods(core, namespace, set(names), lambda p: len(p) == wanted and all(
        kube.running(x) for x in p.values()), timeout)
    evidence["pods"] = {n: kube.pod_state(p) for n, p in sorted(pods.items())}
    ran = [n for n, p in pods.items() if kube.running(p)]
    if len(ran) == wanted:
        return Step("shared_gpu_pods_run", PASS, "%d pods requesting nvidia.com/gpu: 1 run on %s, which has %d "
                    "physical GPU(s)" % (wanted, name, physical), evidence)
    return Step("shared_gpu_pods_run", FAIL, "only %d of %d one-GPU pods ran on %s (%d physical GPU(s)) within %gs"
                % (len(ran), wanted, name, physical, timeout), evidence)


def run(ctx):
    nodes = [n for n in kube.list_nodes(ctx.api) if kube.is_gpu_node(n)]
    if not nodes:
        return [Step("sharing_exposed", SKIP, "no NVIDIA GPU node: accelerator unknown, verify manually")]
    evidence, sharing = {}, {}
    for node in nodes:
        kinds, facts = node_sharing(node)
        facts["simulated"] = kube.is_simulated(node)
        evidence[node.metadata.name] = facts
        if kinds:
            sharing[node.metadata.name] = sorted(kinds)
    for node_name, count in dra_mig(ctx.api).items():
        sharing.setdefault(node_name, []).append("mig via DRA (%d device(s))" % count)
    if not sharing:
        return [Step("sharing_exposed", FAIL, "no GPU sharing on %d GPU node(s): no nvidia.com/gpu.replicas > 1, no "
                     "allocatable nvidia.com/gpu above nvidia.com/gpu.count, no nvidia.com/mig-* resource, no MIG "
                     "device in ResourceSlices" % len(nodes), {"nodes": evidence})]
    steps = [Step("sharing_exposed", PASS, "GPU sharing exposed on %d of %d GPU node(s): %s" % (
        len(sharing), len(nodes), "; ".join("%s: %s" % (n, ", ".join(k)) for n, k in sorted(sharing.items()))),
        {"nodes": evidence, "sharing": sharing})]
    node, physical = time_sliced_node(nodes, sharing)
    if not ctx.active:
        steps.append(Step("shared_gpu_pods_run", SKIP, "passive run: no sharing pods created"))
    elif node is None:
        steps.append(Step("shared_gpu_pods_run", SKIP, "no time-sliced node with a known physical GPU count "
                          "(MIG partitions are separate devices): oversubscription not tested"))
    else:
        steps.append(oversubscription_step(ctx, node, physical))
    return steps
