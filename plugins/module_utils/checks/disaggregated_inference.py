# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Requirement disaggregated_inference: prefill and decode run as separate pods.

Detection only: pods carrying a well-known role label (llm-d `llm-d.ai/role`, NVIDIA Dynamo
`nvidia.com/dynamo-sub-component-type`, or one the user names) with the values prefill and decode,
Running in the same namespace. Sending a request through the gateway and following its ID through
both logs (KAR-0041 steps 2-3) is not done here.
"""

from __future__ import annotations

from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS, Step

ID = "disaggregated_inference"
ROLES = ("prefill", "decode")

SETTINGS = {
    "role_labels": (["llm-d.ai/role", "nvidia.com/dynamo-sub-component-type"],
                    "pod label keys whose values prefill / decode mark disaggregated serving roles"),
}


def role_pods(api, label_keys):
    """{(namespace, label key): {role: [running pod names]}} for pods labelled prefill or decode."""
    from kubernetes import client

    core = client.CoreV1Api(api)
    found = {}
    for key in label_keys:
        selector = "%s in (%s)" % (key, ",".join(ROLES))
        for pod in kube.list_all(core.list_pod_for_all_namespaces, label_selector=selector):
            if pod.status.phase != "Running":
                continue
            role = pod.metadata.labels[key]
            found.setdefault((pod.metadata.namespace, key), {}).setdefault(role, []).append(pod.metadata.name)
    return found


def run(ctx):
    keys = kube.option(ctx, SETTINGS, "role_labels")
    found = role_pods(ctx.api, keys)
    evidence = {"%s (%s)" % group: {r: sorted(p) for r, p in roles.items()} for group, roles in sorted(found.items())}
    complete = [g for g, roles in sorted(found.items()) if all(roles.get(r) for r in ROLES)]
    if complete:
        counts = ["namespace %s by %s: %d prefill, %d decode"
                  % (ns, key, len(found[(ns, key)]["prefill"]), len(found[(ns, key)]["decode"])) for ns, key in complete]
        return [Step("prefill_decode_separate", PASS, "separate Running prefill and decode pods: " + "; ".join(counts),
                     evidence)]
    if found:
        return [Step("prefill_decode_separate", FAIL, "only one role Running per namespace: %s" % "; ".join(
            "%s: %s" % (g, ", ".join(sorted(r))) for g, r in evidence.items()), evidence)]
    return [Step("prefill_decode_separate", FAIL, "no Running pod labelled prefill or decode (label keys: %s)"
                 % ", ".join(keys), {"label_keys": keys})]
