# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Requirement high_performance_networking: secondary / RDMA-capable interfaces are discoverable.

Detection only (KAR-0010 steps 2-3: characteristics published and queryable, scheduling only where
they exist). Passes on any of: DRA ResourceSlices published by a network driver (DRANET and the like),
Multus NetworkAttachmentDefinitions, or node-allocatable RDMA / SR-IOV resources. It does not send
traffic over the secondary interface.
"""

from __future__ import annotations

from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS, Step

ID = "high_performance_networking"

SETTINGS = {
    "network_dra_drivers": (["dra.net", "rdma.dra", "sriovnetwork.k8snetworkplumbingwg.io"],
                            "DRA driver names (or name prefixes) that publish network devices"),
    "resource_patterns": (["rdma", "sriov", "hca", "mellanox.com/"],
                          "substrings of node-allocatable resource names that are high-performance NICs"),
}


def network_slices(api, drivers):
    """{driver: {node: device count}} for ResourceSlices of network DRA drivers."""
    if "resourceslices" not in kube.served_resources(api, "resource.k8s.io/v1"):
        return {}
    found = {}
    for rs in kube.list_objects(api, "resource.k8s.io", "v1", "resourceslices"):
        spec = rs.get("spec") or {}
        driver = spec.get("driver") or ""
        if any(driver == d or driver.startswith(d) for d in drivers) and spec.get("devices"):
            per_node = found.setdefault(driver, {})
            node = spec.get("nodeName") or "(shared)"
            per_node[node] = per_node.get(node, 0) + len(spec["devices"])
    return found


def attachment_definitions(api):
    if "network-attachment-definitions" not in kube.served_resources(api, "k8s.cni.cncf.io/v1"):
        return None
    return ["%s/%s" % (n["metadata"].get("namespace"), n["metadata"]["name"])
            for n in kube.list_objects(api, "k8s.cni.cncf.io", "v1", "network-attachment-definitions")]


def nic_resources(nodes, patterns):
    """{node: {resource: quantity}} of allocatable resources matching the patterns."""
    found = {}
    for node in nodes:
        for name, qty in (node.status.allocatable or {}).items():
            if any(p in name for p in patterns) and str(qty) not in ("0", ""):
                found.setdefault(node.metadata.name, {})[name] = qty
    return found


def run(ctx):
    slices = network_slices(ctx.api, kube.option(ctx, SETTINGS, "network_dra_drivers"))
    nads = attachment_definitions(ctx.api)
    resources = nic_resources(kube.list_nodes(ctx.api), kube.option(ctx, SETTINGS, "resource_patterns"))
    evidence = {"dra_network_slices": slices, "network_attachment_definitions": nads,
                "node_nic_resources": resources}
    found = []
    if slices:
        found.append("DRA network devices from %s" % ", ".join(sorted(slices)))
    if nads:
        found.append("%d Multus NetworkAttachmentDefinition(s)" % len(nads))
    if resources:
        found.append("RDMA/SR-IOV resources on %d node(s)" % len(resources))
    if found:
        return [Step("secondary_networks_discoverable", PASS, "high-performance networking is discoverable: "
                     + "; ".join(found), evidence)]
    return [Step("secondary_networks_discoverable", FAIL, "no high-performance network found: no ResourceSlice from "
                 "a network DRA driver, %s, no RDMA/SR-IOV node resource"
                 % ("NetworkAttachmentDefinition API not served" if nads is None
                    else "no NetworkAttachmentDefinition"), evidence)]
