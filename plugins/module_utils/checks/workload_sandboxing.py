# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Requirement workload_sandboxing: a sandboxed RuntimeClass (gVisor, Kata) exists and its pods run in
their own kernel.

Passive: a RuntimeClass whose handler is a sandbox runtime. Active: a pod with it runs; on real nodes
its kernel identity (`uname -rv`) differs from that of a plain pod on the same node (KAR-0020 step 3).
"""

from __future__ import annotations

from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import ERROR, FAIL, PASS, SKIP, Step

ID = "workload_sandboxing"
SANDBOX_HANDLERS = ("runsc", "gvisor", "kata")
BEGIN, END = "kernel-begin", "kernel-end"

SETTINGS = {
    "runtime_class": ("", "sandbox RuntimeClass to test; empty picks the first whose handler is runsc, gvisor or kata*"),
    "probe_image": ("docker.io/library/busybox:1.36", "image of the two pods that print uname -rv"),
    "pod_timeout": (120, "seconds the pods may take to run and finish"),
}


def is_sandbox(runtime_class):
    handler = (runtime_class.handler or "").lower()
    return any(handler.startswith(h) for h in SANDBOX_HANDLERS)


def pick(classes, wanted):
    """(RuntimeClass or None, reason)."""
    if wanted:
        match = [rc for rc in classes if rc.metadata.name == wanted]
        if not match:
            return None, "RuntimeClass %s does not exist" % wanted
        return match[0], None
    sandboxes = sorted((rc for rc in classes if is_sandbox(rc)), key=lambda rc: rc.metadata.name)
    return (sandboxes[0], None) if sandboxes else (None, "no RuntimeClass with a sandbox handler (%s)"
                                                   % ", ".join(h + "*" for h in SANDBOX_HANDLERS))


def probe(name, ctx, runtime_class=None, node=None):
    pod = kube.pause_pod(name, ctx.labels, runtime_class=runtime_class, tolerations=kube.DEFAULT_TOLERATIONS,
                         image=kube.option(ctx, SETTINGS, "probe_image"),
                         command=["sh", "-c", "echo %s; uname -r; uname -v; echo %s" % (BEGIN, END)])
    if node:
        pod["spec"]["nodeName"] = node
    return pod


def kernel_of(core, namespace, name, timeout):
    """uname -rv printed by a finished pod, or None."""
    done = kube.wait_until(lambda: core.read_namespaced_pod(name, namespace).status.phase
                           in ("Succeeded", "Failed") or None, timeout)
    if not done:
        return None
    lines = core.read_namespaced_pod_log(name, namespace).splitlines()
    if BEGIN not in lines or END not in lines:
        return None
    return " ".join(lines[lines.index(BEGIN) + 1:lines.index(END)])


def active_steps(ctx, runtime_class):
    from kubernetes import client

    core = client.CoreV1Api(ctx.api)
    timeout = kube.wait_seconds(ctx, SETTINGS, "pod_timeout")
    namespace = ctx.scratch_namespace()
    core.create_namespaced_pod(namespace, probe("sandboxed", ctx, runtime_class))
    pods = kube.wait_pods(core, namespace, {"sandboxed"}, lambda p: kube.running(p.get("sandboxed")), timeout)
    pod = pods.get("sandboxed")
    state = kube.pod_state(pod) if pod else None
    if not pod or not kube.running(pod):
        return [Step("sandboxed_pod_runs", FAIL, "a pod with RuntimeClass %s did not run within %gs: %s"
                     % (runtime_class, timeout, state), {"pod": state})]
    node = core.read_node(pod.spec.node_name)
    steps = [Step("sandboxed_pod_runs", PASS, "a pod with RuntimeClass %s runs on %s" % (runtime_class,
                  pod.spec.node_name), {"pod": state, "simulated": kube.is_simulated(node)})]
    if kube.is_simulated(node):
        steps.append(Step("kernel_isolated", SKIP, "nodes are simulated: container logs not observable"))
        return steps
    core.create_namespaced_pod(namespace, probe("control", ctx, node=pod.spec.node_name))
    sandboxed, control = (kernel_of(core, namespace, n, timeout) for n in ("sandboxed", "control"))
    evidence = {"node": pod.spec.node_name, "sandboxed_kernel": sandboxed, "control_kernel": control}
    if sandboxed is None or control is None:
        steps.append(Step("kernel_isolated", ERROR, "uname output missing from the sandboxed or control pod", evidence))
    elif sandboxed == control:
        steps.append(Step("kernel_isolated", FAIL, "the sandboxed pod reports the host kernel (%s)" % control, evidence))
    else:
        steps.append(Step("kernel_isolated", PASS, "the sandboxed pod runs kernel %r, the plain pod %r"
                          % (sandboxed, control), evidence))
    return steps


def run(ctx):
    from kubernetes import client

    classes = kube.list_all(client.NodeV1Api(ctx.api).list_runtime_class)
    wanted = kube.option(ctx, SETTINGS, "runtime_class")
    runtime_class, reason = pick(classes, wanted)
    evidence = {"runtimeclasses": {rc.metadata.name: rc.handler for rc in classes}}
    if runtime_class is None:
        return [Step("sandbox_runtimeclass", FAIL, reason, evidence)]
    if not is_sandbox(runtime_class):
        return [Step("sandbox_runtimeclass", FAIL, "RuntimeClass %s has handler %s, not a sandbox runtime"
                     % (runtime_class.metadata.name, runtime_class.handler), evidence)]
    steps = [Step("sandbox_runtimeclass", PASS, "RuntimeClass %s uses sandbox handler %s"
                  % (runtime_class.metadata.name, runtime_class.handler), evidence)]
    if ctx.active:
        steps.extend(active_steps(ctx, runtime_class.metadata.name))
    else:
        steps.append(Step("sandboxed_pod_runs", SKIP, "passive run: no sandboxed pod created"))
    return steps
