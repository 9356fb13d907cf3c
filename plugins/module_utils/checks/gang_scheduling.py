# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Requirement gang_scheduling (KAR-0053): a gang scheduler (Kueue or Volcano) is installed and
works all-or-nothing.

Passive: the scheduler's CRDs are Established and its controller is Ready (a ready Deployment, or,
for a controller running outside the cluster, its admission webhook answering a dry-run create).
Active (Kueue, as the upstream TestGangScheduling): a ClusterQueue whose nvidia.com/gpu quota is
gang_size; a Job of gang_size pods runs completely; after it is gone, a Job of gang_size + 1 pods gets
no pod at all within the window, although gang_size of its pods would fit. Volcano likewise: a Queue
with capability nvidia.com/gpu = gang_size, PodGroups with minMember gang_size and gang_size + 1.
"""

from __future__ import annotations

import time

from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS, Step

ID = "gang_scheduling"

SETTINGS = {
    "gang_size": (2, "pods (1 GPU each) in the gang that must fit; needs this many free GPUs"),
    "window_s": (30, "how long the oversized gang must stay without a running pod"),
    "admit_timeout_s": (120, "how long the fitting gang may take until all its pods run"),
    "controller_deployment": ("", "namespace/name of the scheduler's controller Deployment; empty: well-known names"),
}

KUEUE = "kueue.x-k8s.io"
KUEUE_KINDS = ("clusterqueues", "localqueues", "resourceflavors", "workloads")
VOLCANO = "scheduling.volcano.sh"
VOLCANO_KINDS = ("podgroups", "queues")
# Pod annotation naming a pod's Volcano PodGroup.
VOLCANO_GROUP_ANNOTATION = "scheduling.k8s.io/group-name"
QUEUE_LABEL = KUEUE + "/queue-name"
CONTROLLERS = {
    KUEUE: ("app.kubernetes.io/name=kueue", "control-plane=controller-manager,app.kubernetes.io/name=kueue"),
    VOLCANO: ("app=volcano-scheduler", "app.kubernetes.io/name=volcano"),
}


def crd_step(group, crds, required):
    """Step for the CRDs of `group` ({name: state} from kube.crds_of_group)."""
    names = ["%s.%s" % (plural, group) for plural in required]
    missing = [n for n in names if n not in crds]
    pending = [n for n in names if n in crds and not crds[n]["established"]]
    evidence = {"crds": {n: crds[n] for n in names if n in crds}}
    if missing or pending:
        return Step("crds", FAIL, "%s CRDs not ready: missing %s, not Established %s"
                    % (group, ", ".join(missing) or "none", ", ".join(pending) or "none"), evidence)
    return Step("crds", PASS, "%s CRDs Established: %s" % (group, ", ".join(names)), evidence)


def controller_step(deployments, webhooks, probe):
    """Step for controller readiness: Deployments (dicts), webhook configs and a dry-run (status, message) or None."""
    if deployments:
        shown, ready = kube.deployment_summary(deployments)
        return Step("controller", PASS if ready else FAIL,
                    "controller Deployment %s: %s" % ("ready" if ready else "not ready", ", ".join(shown)),
                    {"deployments": shown})
    evidence = {"webhooks": webhooks, "dry_run": probe}
    if not webhooks:
        return Step("controller", FAIL, "no controller Deployment and no admission webhook for the scheduler's API "
                                        "group: nothing shows a running controller", evidence)
    status, message = probe
    if status < 300:
        return Step("controller", PASS, "controller runs outside a Deployment: its admission webhook (%s) answered a "
                                        "dry-run create" % ", ".join(sum(webhooks.values(), [])[:2]), evidence)
    return Step("controller", FAIL, "admission webhook did not accept a valid dry-run create (%s): %s"
                % (status, message), evidence)


def _deployments(ctx, group):
    named = kube.option(ctx, SETTINGS, "controller_deployment")
    if named:
        namespace, _sep, name = named.partition("/")
        found = kube.get_or_none(ctx.api, "/apis/apps/v1/namespaces/%s/deployments/%s" % (namespace, name))
        return [found] if found else []
    for selector in CONTROLLERS[group]:
        found = kube.list_json(ctx.api, "/apis/apps/v1/deployments", {"labelSelector": selector})
        if found:
            return found
    return []


def _preferred_version(ctx, group):
    info = kube.get_or_none(ctx.api, "/apis/" + group) or {}
    return (info.get("preferredVersion") or {}).get("version") or "v1beta1"


def run(ctx):
    kueue = kube.crds_of_group(ctx.api, KUEUE)
    volcano = kube.crds_of_group(ctx.api, VOLCANO)
    if not kueue and not volcano:
        return [Step("crds", FAIL, "no gang scheduler installed: no %s CRDs (Kueue) and no podgroups.%s CRD (Volcano)"
                     % (KUEUE, VOLCANO), {"looked_for": [KUEUE, "podgroups." + VOLCANO]})]
    if not kueue:
        version = "%s/%s" % (VOLCANO, _preferred_version(ctx, VOLCANO))
        steps = [crd_step(VOLCANO, volcano, VOLCANO_KINDS)]
        probe = kube.dry_run_create(ctx.api, "/apis/%s/queues" % version, volcano_queue(
            version, "aiconf-probe-" + ctx.run_id, 1))
        steps.append(controller_step(_deployments(ctx, VOLCANO), kube.webhooks_for_group(ctx.api, VOLCANO), probe))
        if ctx.active and all(s.status == PASS for s in steps):
            steps += volcano_gangs(ctx, version)
        return steps
    version = "%s/%s" % (KUEUE, _preferred_version(ctx, KUEUE))
    steps = [crd_step(KUEUE, kueue, KUEUE_KINDS)]
    webhooks = kube.webhooks_for_group(ctx.api, KUEUE)
    probe = kube.dry_run_create(ctx.api, "/apis/%s/resourceflavors" % version, {
        "apiVersion": version, "kind": "ResourceFlavor", "metadata": {"name": "aiconf-probe-" + ctx.run_id}})
    steps.append(controller_step(_deployments(ctx, KUEUE), webhooks, probe))
    if ctx.active and all(s.status == PASS for s in steps):
        steps += kueue_gangs(ctx, version)
    return steps


def gang_job(name, queue, size, labels):
    """A suspended batch Job of `size` pause pods with 1 GPU each, queued to LocalQueue `queue`."""
    pod = kube.pause_pod("unused", labels, gpus=1)
    return {"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": name, "labels": dict(labels, **{QUEUE_LABEL: queue})},
            "spec": {"parallelism": size, "completions": size, "suspend": True, "backoffLimit": 0,
                     "template": {"metadata": {"labels": dict(labels)}, "spec": pod["spec"]}}}


def kueue_manifests(version, name, namespace, quota):
    """ResourceFlavor, ClusterQueue (nvidia.com/gpu quota, only `namespace`) and LocalQueue named `name`."""
    return [
        {"apiVersion": version, "kind": "ResourceFlavor", "metadata": {"name": name}},
        {"apiVersion": version, "kind": "ClusterQueue", "metadata": {"name": name}, "spec": {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}},
            "resourceGroups": [{"coveredResources": [kube.GPU_RESOURCE], "flavors": [{
                "name": name, "resources": [{"name": kube.GPU_RESOURCE, "nominalQuota": quota}]}]}]}},
        {"apiVersion": version, "kind": "LocalQueue", "metadata": {"name": name, "namespace": namespace},
         "spec": {"clusterQueue": name}},
    ]


def _job_pods(core, namespace, job):
    pods = core.list_namespaced_pod(namespace, label_selector="job-name=" + job).items
    return {p.metadata.name: kube.pod_state(p) for p in pods}


def _workload(ctx, version, namespace, job):
    for wl in kube.list_json(ctx.api, "/apis/%s/namespaces/%s/workloads" % (version, namespace)):
        owners = wl["metadata"].get("ownerReferences") or []
        if any(o.get("kind") == "Job" and o.get("name") == job for o in owners):
            return {c["type"]: "%s %s: %s" % (c["status"], c.get("reason", ""), c.get("message", ""))
                    for c in (wl.get("status") or {}).get("conditions") or []}
    return None


def kueue_gangs(ctx, version):
    from kubernetes import client

    core = client.CoreV1Api(ctx.api)
    batch = client.BatchV1Api(ctx.api)
    namespace = ctx.scratch_namespace()
    size = kube.option(ctx, SETTINGS, "gang_size")
    name = "aiconf-gang-" + ctx.run_id
    for manifest in kueue_manifests(version, name, namespace, size):
        ctx.create(manifest, namespace=manifest["metadata"].get("namespace"))
    cq_path = "/apis/%s/clusterqueues/%s" % (version, name)
    active = kube.wait_until(lambda: (kube.condition(kube.get_json(ctx.api, cq_path), "Active") or {}).get(
        "status") == "True", kube.budget(ctx, 60), interval=2)
    cq_active = kube.condition(kube.get_json(ctx.api, cq_path), "Active")
    steps = [Step("queues", PASS if active else FAIL,
                  "ClusterQueue %s %s by the Kueue controller" % (name, "set Active" if active else "not set Active"),
                  {"cluster_queue": name, "active_condition": cq_active})]
    if not active:
        return steps

    timeout = kube.budget(ctx, kube.option(ctx, SETTINGS, "admit_timeout_s"))
    ctx.create(gang_job("gang-fits", name, size, ctx.labels), namespace=namespace)
    started = time.monotonic()

    def all_running():
        pods = _job_pods(core, namespace, "gang-fits")
        ok = [p for p in pods.values() if p["node"] and p["phase"] in ("Running", "Succeeded")]
        return len(ok) >= size and pods

    kube.wait_until(all_running, timeout, interval=2)
    pods = _job_pods(core, namespace, "gang-fits")
    ok = [n for n, p in pods.items() if p["node"] and p["phase"] in ("Running", "Succeeded")]
    evidence = {"pods": pods, "workload": _workload(ctx, version, namespace, "gang-fits"),
                "seconds": round(time.monotonic() - started, 1)}
    if len(ok) < size:
        steps.append(Step("gang_fits", FAIL, "a gang of %d GPU pods within quota: only %d of them ran within %d s"
                          % (size, len(ok), timeout), evidence))
        return steps
    steps.append(Step("gang_fits", PASS, "a gang of %d GPU pods within quota: all %d bound and ran (on %s) in %.0f s"
                      % (size, size, ", ".join(sorted({pods[n]["node"] for n in ok})), evidence["seconds"]), evidence))

    batch.delete_namespaced_job("gang-fits", namespace, propagation_policy="Foreground")
    kube.wait_until(lambda: not _job_pods(core, namespace, "gang-fits") and
                    _workload(ctx, version, namespace, "gang-fits") is None, kube.budget(ctx, 60), interval=2)
    window = kube.budget(ctx, kube.option(ctx, SETTINGS, "window_s"))
    ctx.create(gang_job("gang-too-big", name, size + 1, ctx.labels), namespace=namespace)
    deadline = time.monotonic() + window
    ran = {}
    while time.monotonic() < deadline:
        ran = {n: p for n, p in _job_pods(core, namespace, "gang-too-big").items() if p["phase"] == "Running"}
        if ran:
            break
        time.sleep(2)
    evidence = {"pods": _job_pods(core, namespace, "gang-too-big"),
                "workload": _workload(ctx, version, namespace, "gang-too-big"), "window_s": window}
    if ran:
        steps.append(Step("gang_does_not_fit", FAIL, "a gang of %d pods over a quota of %d: %d pod(s) ran anyway "
                          "(partial scheduling)" % (size + 1, size, len(ran)), evidence))
    else:
        steps.append(Step("gang_does_not_fit", PASS, "a gang of %d pods over a quota of %d (free: %d): no pod ran "
                          "within %d s" % (size + 1, size, size, window), evidence))
    return steps


def volcano_queue(version, name, gpus):
    """A Volcano Queue whose capability is `gpus` nvidia.com/gpu."""
    return {"apiVersion": version, "kind": "Queue", "metadata": {"name": name},
            "spec": {"weight": 1, "reclaimable": False, "capability": {kube.GPU_RESOURCE: str(gpus)}}}


def volcano_gang(version, name, queue, size, labels):
    """A PodGroup of minMember `size` in `queue` and its `size` pods (1 GPU each, scheduled by Volcano)."""
    group = {"apiVersion": version, "kind": "PodGroup", "metadata": {"name": name},
             "spec": {"minMember": size, "queue": queue, "minResources": {kube.GPU_RESOURCE: str(size)}}}
    pods = []
    for index in range(size):
        pod = kube.pause_pod("%s-%d" % (name, index), dict(labels, gang=name), gpus=1)
        pod["metadata"]["annotations"] = {VOLCANO_GROUP_ANNOTATION: name}
        pod["spec"]["schedulerName"] = "volcano"
        pods.append(pod)
    return group, pods


def _gang_pods(core, namespace, gang):
    return {p.metadata.name: kube.pod_state(p)
            for p in core.list_namespaced_pod(namespace, label_selector="gang=" + gang).items}


def volcano_gangs(ctx, version):
    from kubernetes import client

    core = client.CoreV1Api(ctx.api)
    namespace = ctx.scratch_namespace()
    size = kube.option(ctx, SETTINGS, "gang_size")
    queue = "aiconf-gang-" + ctx.run_id
    ctx.create(volcano_queue(version, queue, size))
    queue_path = "/apis/%s/queues/%s" % (version, queue)
    state = kube.wait_until(lambda: ((kube.get_json(ctx.api, queue_path).get("status") or {}).get("state") == "Open"),
                            kube.budget(ctx, 60), interval=2)
    steps = [Step("queues", PASS if state else FAIL, "Volcano Queue %s %s by the controller"
                  % (queue, "Open" if state else "never set Open"),
                  {"queue": queue, "status": kube.get_json(ctx.api, queue_path).get("status")})]
    if not state:
        return steps
    timeout = kube.budget(ctx, kube.option(ctx, SETTINGS, "admit_timeout_s"))
    group, pods = volcano_gang(version, "gang-fits", queue, size, ctx.labels)
    ctx.create(group, namespace=namespace)
    for pod in pods:
        core.create_namespaced_pod(namespace, pod)
    started = time.monotonic()
    kube.wait_until(lambda: len([p for p in _gang_pods(core, namespace, "gang-fits").values()
                                 if p["node"] and p["phase"] in ("Running", "Succeeded")]) >= size, timeout, interval=2)
    states = _gang_pods(core, namespace, "gang-fits")
    ok = [n for n, p in states.items() if p["node"] and p["phase"] in ("Running", "Succeeded")]
    group_path = "/apis/%s/namespaces/%s/podgroups/" % (version, namespace)
    evidence = {"pods": states, "podgroup": kube.get_json(ctx.api, group_path + "gang-fits").get("status"),
                "seconds": round(time.monotonic() - started, 1)}
    if len(ok) < size:
        steps.append(Step("gang_fits", FAIL, "a gang of %d GPU pods within the queue's capability: only %d of them "
                          "ran within %d s" % (size, len(ok), timeout), evidence))
        return steps
    steps.append(Step("gang_fits", PASS, "a gang of %d GPU pods within the queue's capability: all bound and ran in "
                      "%.0f s" % (size, evidence["seconds"]), evidence))
    core.delete_collection_namespaced_pod(namespace, label_selector="gang=gang-fits", grace_period_seconds=0)
    kube.wait_until(lambda: not _gang_pods(core, namespace, "gang-fits"), kube.budget(ctx, 60), interval=2)
    window = kube.budget(ctx, kube.option(ctx, SETTINGS, "window_s"))
    group, pods = volcano_gang(version, "gang-too-big", queue, size + 1, ctx.labels)
    ctx.create(group, namespace=namespace)
    for pod in pods:
        core.create_namespaced_pod(namespace, pod)
    deadline = time.monotonic() + window
    ran = {}
    while time.monotonic() < deadline and not ran:
        ran = {n: p for n, p in _gang_pods(core, namespace, "gang-too-big").items() if p["phase"] == "Running"}
        time.sleep(2)
    evidence = {"pods": _gang_pods(core, namespace, "gang-too-big"), "window_s": window,
                "podgroup": kube.get_json(ctx.api, group_path + "gang-too-big").get("status")}
    if ran:
        steps.append(Step("gang_does_not_fit", FAIL, "a gang of %d pods over a capability of %d: %d pod(s) ran anyway "
                          "(partial scheduling)" % (size + 1, size, len(ran)), evidence))
    else:
        steps.append(Step("gang_does_not_fit", PASS, "a gang of %d pods over a capability of %d (free: %d): no pod "
                          "ran within %d s" % (size + 1, size, size, window), evidence))
    return steps
