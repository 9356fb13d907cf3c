# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Requirement advanced_inference_ingress: a Gateway API Inference Extension implementation is present.

Detection only: the InferencePool API is served and at least one InferencePool is Accepted by a
Gateway (a controller wrote that status). Model-aware routing itself is exercised by GAIE's own
conformance suite, which this check does not replace.
"""

from __future__ import annotations

from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS, Step

ID = "advanced_inference_ingress"
# GA group first, then the pre-GA experimental one.
POOL_APIS = (("inference.networking.k8s.io", "v1"), ("inference.networking.x-k8s.io", "v1alpha2"))


def pool_parents(pool):
    """Parent status entries: v1 `status.parents`, v1alpha2 `status.parent`."""
    status = pool.get("status") or {}
    return status.get("parents") or status.get("parent") or []


def accepted_by(pool):
    """Names of the parents (Gateways) that accepted the pool."""
    names = []
    for parent in pool_parents(pool):
        if any(c.get("type") == "Accepted" and c.get("status") == "True" for c in parent.get("conditions") or []):
            names.append((parent.get("parentRef") or {}).get("name") or "?")
    return names


def run(ctx):
    served = [(g, v) for g, v in POOL_APIS if "inferencepools" in kube.served_resources(ctx.api, g + "/" + v)]
    if not served:
        return [Step("inference_extension", FAIL, "Gateway API Inference Extension not installed: InferencePool is "
                     "served by neither %s" % " nor ".join("%s/%s" % gv for gv in POOL_APIS))]
    pools = []
    for group, version in served:
        for pool in kube.list_objects(ctx.api, group, version, "inferencepools"):
            meta = pool["metadata"]
            pools.append({"name": "%s/%s" % (meta.get("namespace"), meta["name"]), "api": group + "/" + version,
                          "accepted_by": accepted_by(pool),
                          "conditions": [c for p in pool_parents(pool) for c in p.get("conditions") or []]})
    evidence = {"served": ["%s/%s" % gv for gv in served], "pools": pools}
    accepted = [p for p in pools if p["accepted_by"]]
    if accepted:
        return [Step("inference_extension", PASS, "InferencePool(s) accepted by a Gateway: %s" % ", ".join(
            "%s (by %s)" % (p["name"], ", ".join(p["accepted_by"])) for p in accepted), evidence)]
    if not pools:
        return [Step("inference_extension", FAIL, "InferencePool API served (%s) but no InferencePool exists"
                     % ", ".join(evidence["served"]), evidence)]
    return [Step("inference_extension", FAIL, "no InferencePool is accepted by a Gateway: %s" % "; ".join(
        "%s: %s" % (p["name"], ", ".join("%s=%s" % (c.get("type"), c.get("status")) for c in p["conditions"])
                    or "no status") for p in pools), evidence)]
