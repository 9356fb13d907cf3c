# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Requirement virtualized_accelerator: vGPU nodes expose their GPUs through the same API as physical ones.

A vGPU node is one GPU Feature Discovery marks `nvidia.com/vgpu.present=true` (or that carries the
GPU Operator's vGPU host-driver labels). It passes when such a node advertises allocatable
`nvidia.com/gpu` (device plugin) or a GPU in a DRA ResourceSlice, i.e. the same resource a physical
GPU node exposes.
"""

from __future__ import annotations

from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS, SKIP, Step

ID = "virtualized_accelerator"
VGPU_LABELS = ("nvidia.com/vgpu.present", "nvidia.com/vgpu.host-driver-version", "nvidia.com/vgpu.host-driver-branch")


def is_vgpu_node(node):
    labels = kube.labels_of(node)
    return labels.get("nvidia.com/vgpu.present") == "true" or any(
        k in labels for k in VGPU_LABELS[1:])


def dra_gpu_nodes(api):
    """Names of nodes with GPU devices in DRA ResourceSlices."""
    if "resourceslices" not in kube.served_resources(api, "resource.k8s.io/v1"):
        return set()
    slices = kube.list_objects(api, "resource.k8s.io", "v1", "resourceslices")
    return {(rs.get("spec") or {}).get("nodeName") for rs in slices if (rs.get("spec") or {}).get("devices")}


def run(ctx):
    nodes = kube.list_nodes(ctx.api)
    gpu_nodes = [n for n in nodes if kube.is_gpu_node(n) or is_vgpu_node(n)]
    if not gpu_nodes:
        return [Step("vgpu_exposed", SKIP, "no NVIDIA GPU node: accelerator unknown, verify manually")]
    vgpu = [n for n in gpu_nodes if is_vgpu_node(n)]
    if not vgpu:
        return [Step("vgpu_exposed", FAIL, "none of %d GPU node(s) is a vGPU node (no label %s)"
                     % (len(gpu_nodes), " / ".join(VGPU_LABELS)), {"gpu_nodes": sorted(n.metadata.name for n in gpu_nodes)})]
    dra_nodes = dra_gpu_nodes(ctx.api)
    evidence = {n.metadata.name: {"labels": {k: v for k, v in kube.labels_of(n).items() if "vgpu" in k},
                                  "allocatable_gpu": kube.gpu_count(n), "dra_devices": n.metadata.name in dra_nodes,
                                  "simulated": kube.is_simulated(n)} for n in vgpu}
    exposed = [name for name, facts in evidence.items() if facts["allocatable_gpu"] > 0 or facts["dra_devices"]]
    hidden = sorted(set(evidence) - set(exposed))
    if hidden:
        return [Step("vgpu_exposed", FAIL, "vGPU node(s) %s advertise no nvidia.com/gpu and no DRA device"
                     % ", ".join(hidden), evidence)]
    return [Step("vgpu_exposed", PASS, "%d vGPU node(s) expose their GPUs as nvidia.com/gpu or DRA devices, like "
                 "physical GPU nodes: %s" % (len(exposed), ", ".join(sorted(exposed))), evidence)]
