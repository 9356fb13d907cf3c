# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Requirement driver_runtime_management: every GPU node advertises its driver and container runtime
versions (DRA ResourceSlice attributes first, GFD labels otherwise), consistently, and they match what
nvidia-smi reports on the hosts when the inventory has them."""

from __future__ import annotations

import csv
import io
import re

from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS, SKIP, Step

ID = "driver_runtime_management"
DRIVER_LABEL = "nvidia.com/cuda.driver-version.full"
CUDA_LABEL = "nvidia.com/cuda.runtime-version.full"
NVIDIA_DRA_DRIVER = "gpu.nvidia.com"
VERSION_SHAPE = re.compile(r"^\d+\.\d+(\.\d+)*$")

SETTINGS = {
    "require_uniform_versions": (True, "fail when GPU nodes advertise different driver or runtime versions"),
}


def normalise(version):
    """'580.95.05' equals '580.95.5' (DRA semver), and '13.0' equals '13.0.0'."""
    if version is None:
        return None
    parts = [str(int(p)) if p.isdigit() else p for p in str(version).strip().split(".")]
    return ".".join(parts + ["0"] * (3 - len(parts)))


def dra_versions(slices):
    """{node: {"driverVersion": v, "cudaDriverVersion": v}} from NVIDIA DRA ResourceSlices."""
    found = {}
    for rs in slices:
        spec = rs.get("spec") or {}
        if spec.get("driver") != NVIDIA_DRA_DRIVER or not spec.get("nodeName"):
            continue
        for device in spec.get("devices") or []:
            attrs = device.get("attributes") or {}
            for key in ("driverVersion", "cudaDriverVersion"):
                value = (attrs.get(key) or {}).get("version") or (attrs.get(key) or {}).get("string")
                if value:
                    found.setdefault(spec["nodeName"], {}).setdefault(key, set()).add(value)
    return found


def advertised(node, dra):
    """What one GPU node advertises, and where it came from."""
    labels = kube.labels_of(node)
    info = {"runtime": node.status.node_info.container_runtime_version if node.status.node_info else None}
    node_dra = dra.get(node.metadata.name, {})
    problems = []
    for key, label, field in (("driverVersion", DRIVER_LABEL, "driver"), ("cudaDriverVersion", CUDA_LABEL, "cuda")):
        values = node_dra.get(key)
        if values:
            if len(values) > 1:
                problems.append("devices disagree on %s: %s" % (key, ", ".join(sorted(values))))
            info[field] = sorted(values)[0]
            info[field + "_source"] = "DRA ResourceSlice attribute " + key
            if labels.get(label) and normalise(labels[label]) != normalise(info[field]):
                problems.append("label %s=%s but DRA %s=%s" % (label, labels[label], key, info[field]))
        else:
            info[field] = labels.get(label)
            info[field + "_source"] = "label " + label if labels.get(label) else None
    return info, problems


def parse_nvidia_smi(text):
    """Driver versions in `nvidia-smi --query-gpu=...,driver_version --format=csv[,noheader]` output.

    With a header the driver_version column is used; without one (the verify playbook queries
    index,uuid,name,driver_version with noheader) the last field shaped like a version.
    """
    rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text or "")) if r and any(c.strip() for c in r)]
    if not rows:
        return []
    header = [c.lower() for c in rows[0]]
    column = next((i for i, c in enumerate(header) if c.startswith("driver_version")), None)
    if column is not None:
        return sorted({r[column] for r in rows[1:] if len(r) > column and r[column]})
    versions = set()
    for row in rows:
        shaped = [c for c in row if VERSION_SHAPE.match(c)]
        if shaped:
            versions.add(shaped[-1])
    return sorted(versions)


def match_node(host, info_by_node):
    """The node for an inventory host: same name, same short name, or one of the node's addresses."""
    if host in info_by_node:
        return host
    short = host.split(".")[0]
    for name, info in sorted(info_by_node.items()):
        if name.split(".")[0] == short or host in (info.get("addresses") or []):
            return name
    return None


def hosts_step(hosts, info_by_node):
    with_smi = {h: v.get("nvidia_smi") for h, v in sorted(hosts.items()) if v.get("nvidia_smi")}
    if not with_smi:
        return Step("host_versions_match", SKIP, "no nvidia-smi output from inventory group gpu_nodes: advertised "
                    "versions not compared with the hosts")
    evidence, problems, unmatched = {}, [], []
    for host, text in with_smi.items():
        versions = parse_nvidia_smi(text)
        node = match_node(host, info_by_node)
        evidence[host] = {"nvidia_smi_driver": versions, "node": node,
                          "advertised": info_by_node[node]["driver"] if node else None}
        if node is None:
            unmatched.append(host)
        elif not versions:
            problems.append("%s: no driver version in nvidia-smi output" % host)
        elif {normalise(v) for v in versions} != {normalise(info_by_node[node]["driver"])}:
            problems.append("%s: nvidia-smi reports driver %s but node %s advertises %s"
                            % (host, ", ".join(versions), node, info_by_node[node]["driver"]))
    if problems:
        return Step("host_versions_match", FAIL, "; ".join(problems), evidence)
    if len(unmatched) == len(with_smi):
        return Step("host_versions_match", SKIP, "no gpu_nodes host matches a GPU node name (%s)"
                    % ", ".join(unmatched), evidence)
    return Step("host_versions_match", PASS, "nvidia-smi on %d host(s) reports the advertised driver version%s"
                % (len(with_smi) - len(unmatched), " (no node for: %s)" % ", ".join(unmatched) if unmatched else ""),
                evidence)


def run(ctx):
    nodes = [n for n in kube.list_nodes(ctx.api) if kube.is_gpu_node(n)]
    if not nodes:
        return [Step("versions_advertised", SKIP, "no NVIDIA GPU node (label nvidia.com/gpu.present=true or "
                     "nvidia.com/gpu capacity): accelerator unknown, verify manually")]
    slices = []
    if "resourceslices" in kube.served_resources(ctx.api, "resource.k8s.io/v1"):
        slices = kube.list_objects(ctx.api, "resource.k8s.io", "v1", "resourceslices")
    dra = dra_versions(slices)
    info_by_node, problems = {}, []
    for node in nodes:
        info, node_problems = advertised(node, dra)
        info["simulated"] = kube.is_simulated(node)
        info["addresses"] = [a.address for a in node.status.addresses or []]
        info_by_node[node.metadata.name] = info
        problems.extend("%s: %s" % (node.metadata.name, p) for p in node_problems)
        missing = [f for f in ("driver", "cuda", "runtime") if not info.get(f)]
        if missing:
            problems.append("%s: no %s version advertised" % (node.metadata.name, "/".join(missing)))
    steps = []
    if problems:
        steps.append(Step("versions_advertised", FAIL, "; ".join(problems), {"nodes": info_by_node}))
    else:
        steps.append(Step("versions_advertised", PASS, "all %d GPU node(s) advertise driver, CUDA and container "
                          "runtime versions" % len(nodes), {"nodes": info_by_node}))
    steps.append(uniform_step(ctx, info_by_node))
    steps.append(hosts_step(ctx.hosts, info_by_node))
    return steps


def uniform_step(ctx, info_by_node):
    distinct = {f: sorted({str(normalise(i.get(f)) if f != "runtime" else i.get(f)) for i in info_by_node.values()})
                for f in ("driver", "cuda", "runtime")}
    mixed = {f: v for f, v in distinct.items() if len(v) > 1}
    if not mixed:
        return Step("versions_consistent", PASS, "GPU nodes agree: driver %s, CUDA %s, runtime %s"
                    % (distinct["driver"][0], distinct["cuda"][0], distinct["runtime"][0]), distinct)
    text = "; ".join("%s versions differ across GPU nodes: %s" % (f, ", ".join(v)) for f, v in mixed.items())
    if kube.option(ctx, SETTINGS, "require_uniform_versions"):
        return Step("versions_consistent", FAIL, text, distinct)
    return Step("versions_consistent", SKIP, text + " (allowed: require_uniform_versions is false)", distinct)
