# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Requirement gpu_sharing: a GPU node exposes time-slicing/MPS replicas or MIG partitions.

Evidence read from the nodes (GPU Feature Discovery labels, allocatable resources) and from DRA
ResourceSlices (devices of type mig). A cluster that shows none of them fails: the requirement is a
SHOULD, and the honest answer for a cluster without sharing is "not implemented".
"""

from __future__ import annotations

from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS, SKIP, Step

ID = "gpu_sharing"
MIG_RESOURCE_PREFIX = "nvidia.com/mig-"


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
    if sharing:
        return [Step("sharing_exposed", PASS, "GPU sharing exposed on %d of %d GPU node(s): %s" % (
            len(sharing), len(nodes), "; ".join("%s: %s" % (n, ", ".join(k)) for n, k in sorted(sharing.items()))),
            {"nodes": evidence, "sharing": sharing})]
    return [Step("sharing_exposed", FAIL, "no GPU sharing on %d GPU node(s): no nvidia.com/gpu.replicas > 1, no "
                 "allocatable nvidia.com/gpu above nvidia.com/gpu.count, no nvidia.com/mig-* resource, no MIG "
                 "device in ResourceSlices" % len(nodes), {"nodes": evidence})]
