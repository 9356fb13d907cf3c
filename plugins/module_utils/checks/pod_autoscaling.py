# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Requirement pod_autoscaling (KAR-0057): the HorizontalPodAutoscaler scales accelerator workloads
on custom (AI/ML) metrics.

Passive: the custom (or external) metrics APIService is Available, and an autoscaling/v2 HPA on a
Deployment whose pods request nvidia.com/gpu, with an Object/Pods/External metric, reports
ScalingActive=True.
Active: a GPU Deployment plus an HPA on a Pods metric (default gpu_utilization) in a scratch
namespace must reach ScalingActive=True; then, if a way to drive the metric is configured
(metric_driver), the metric is raised above the target (scale up expected) and lowered (scale down
expected). Without a driver the scaling part is skipped with that reason, never guessed.

metric_driver "annotation": the check writes the wanted GPU load (percent) into each workload pod's
annotation `load_annotation`; the workload image reads it through the downward API file
/etc/podinfo/annotations and loads the GPU accordingly. The simulated cluster's stand-in DCGM
exporter follows the same annotation (tests/sim/addons), so there the metric moves without a GPU.
"""

from __future__ import annotations

import time

from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS, SKIP, Step

ID = "pod_autoscaling"

SETTINGS = {
    "metric": ("gpu_utilization", "Pods metric (custom.metrics.k8s.io) the test HPA scales on"),
    "target": ("50", "the HPA's averageValue target for that metric"),
    "metric_driver": ("", "how the check moves the metric: 'annotation' (see load_annotation); empty: scaling not "
                          "exercised (skipped with the reason)"),
    "load_annotation": (kube.LOAD_ANNOTATION, "pod annotation holding the GPU load the workload "
                                              "should generate (metric_driver annotation)"),
    "high_load": (90, "load percent that must make the HPA scale up"),
    "low_load": (0, "load percent that must make it scale back down"),
    "workload_image": ("registry.k8s.io/pause:3.10", "image of the GPU Deployment (a load generator reading "
                                                     "/etc/podinfo/annotations when metric_driver is annotation)"),
    "max_replicas": (2, "HPA maxReplicas (each replica takes one GPU)"),
    "scale_timeout_s": (300, "how long each of ScalingActive, scale-up and scale-down may take"),
}

APISERVICES = ("v1beta1.custom.metrics.k8s.io", "v1beta2.custom.metrics.k8s.io", "v1beta1.external.metrics.k8s.io")
CUSTOM_TYPES = ("Object", "Pods", "External")


def apiservice_step(apiservices):
    """Step from {name: APIService dict or None}."""
    present = {name: svc for name, svc in apiservices.items() if svc}
    if not present:
        return Step("metrics_api", FAIL, "no custom or external metrics API registered (APIService %s absent)"
                    % " / ".join(APISERVICES), {"looked_for": list(APISERVICES)})
    states = {}
    for name, svc in present.items():
        cond = kube.condition(svc, "Available") or {}
        backend = (svc.get("spec") or {}).get("service") or {}
        states[name] = {"available": cond.get("status"), "reason": cond.get("reason"), "message": cond.get("message"),
                        "service": "%s/%s" % (backend.get("namespace"), backend.get("name")) if backend else "local"}
    available = [n for n, s in states.items() if s["available"] == "True"]
    if available:
        return Step("metrics_api", PASS, "metrics API available: %s" % ", ".join(available), {"apiservices": states})
    return Step("metrics_api", FAIL, "metrics APIService not Available: %s" % "; ".join(
        "%s %s (%s)" % (n, s["reason"], s["message"]) for n, s in states.items()), {"apiservices": states})


def requests_gpu(pod_spec):
    for container in (pod_spec or {}).get("containers") or []:
        resources = container.get("resources") or {}
        for part in ("limits", "requests"):
            if int((resources.get(part) or {}).get(kube.GPU_RESOURCE, 0) or 0) > 0:
                return True
    return False


def gpu_hpas(hpas, deployments):
    """[(hpa ns/name, custom metric names, ScalingActive condition)] for HPAs on GPU Deployments with custom metrics."""
    gpu_deployments = {(d["metadata"]["namespace"], d["metadata"]["name"]) for d in deployments
                       if requests_gpu(((d.get("spec") or {}).get("template") or {}).get("spec"))}
    found = []
    for hpa in hpas:
        meta, spec = hpa["metadata"], hpa.get("spec") or {}
        target = spec.get("scaleTargetRef") or {}
        if target.get("kind") != "Deployment" or (meta["namespace"], target.get("name")) not in gpu_deployments:
            continue
        metrics = [m for m in spec.get("metrics") or [] if m.get("type") in CUSTOM_TYPES]
        if not metrics:
            continue
        names = [((m.get(m["type"].lower()) or {}).get("metric") or {}).get("name") for m in metrics]
        found.append(("%s/%s" % (meta["namespace"], meta["name"]), names, kube.condition(hpa, "ScalingActive")))
    return found


def existing_hpa_step(found, active):
    scaling = [f for f in found if (f[2] or {}).get("status") == "True"]
    evidence = {"hpas": [{"hpa": n, "metrics": m, "scaling_active": c} for n, m, c in found]}
    if scaling:
        return Step("existing_hpa", PASS, "HPA %s on a GPU Deployment scales on %s (ScalingActive=True)"
                    % (scaling[0][0], ", ".join(scaling[0][1])), evidence)
    if found:
        return Step("existing_hpa", SKIP if active else FAIL, "HPA(s) on GPU Deployments with custom metrics, none "
                    "ScalingActive=True: %s" % "; ".join("%s (%s)" % (n, (c or {}).get("message")) for n, _names, c in found),
                    evidence)
    return Step("existing_hpa", SKIP if active else FAIL, "no autoscaling/v2 HPA on a GPU Deployment uses a custom "
                "metric%s" % ("" if active else " (run in active mode to create one)"), evidence)


def workload(name, labels, image, annotation, replicas=1):
    """A Deployment of GPU pods (1 GPU each) with the load annotation exposed through the downward API."""
    pod = kube.pause_pod(name, dict(labels, app=name), gpus=1, image=image)
    spec = pod["spec"]
    spec["restartPolicy"] = "Always"
    spec["volumes"] = [{"name": "podinfo", "downwardAPI": {"items": [
        {"path": "annotations", "fieldRef": {"fieldPath": "metadata.annotations"}}]}}]
    spec["containers"][0]["volumeMounts"] = [{"name": "podinfo", "mountPath": "/etc/podinfo"}]
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "labels": dict(labels)},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": dict(labels, app=name), "annotations": {annotation: "0"}},
                                  "spec": spec}}}


def hpa(name, metric, target, max_replicas):
    """autoscaling/v2 HPA on Deployment `name`, Pods metric, no stabilisation so the test is quick."""
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": name},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                     "minReplicas": 1, "maxReplicas": max_replicas,
                     "metrics": [{"type": "Pods", "pods": {"metric": {"name": metric},
                                                           "target": {"type": "AverageValue", "averageValue": target}}}],
                     "behavior": {"scaleUp": {"stabilizationWindowSeconds": 0},
                                  "scaleDown": {"stabilizationWindowSeconds": 0}}}}


def run(ctx):
    apiservices = {name: kube.get_or_none(ctx.api, "/apis/apiregistration.k8s.io/v1/apiservices/" + name)
                   for name in APISERVICES}
    steps = [apiservice_step(apiservices)]
    if steps[0].status != PASS:
        return steps
    found = gpu_hpas(kube.list_json(ctx.api, "/apis/autoscaling/v2/horizontalpodautoscalers"),
                     kube.list_json(ctx.api, "/apis/apps/v1/deployments"))
    steps.append(existing_hpa_step(found, ctx.active))
    if ctx.active:
        steps += exercise(ctx)
    return steps


def _hpa_state(ctx, namespace, name):
    obj = kube.get_json(ctx.api, "/apis/autoscaling/v2/namespaces/%s/horizontalpodautoscalers/%s" % (namespace, name))
    status = obj.get("status") or {}
    return {"current_replicas": status.get("currentReplicas"), "desired_replicas": status.get("desiredReplicas"),
            "current_metrics": status.get("currentMetrics"),
            "conditions": {c["type"]: "%s %s: %s" % (c["status"], c.get("reason"), c.get("message"))
                           for c in status.get("conditions") or []}}


def exercise(ctx):
    from kubernetes import client

    core = client.CoreV1Api(ctx.api)
    apps = client.AppsV1Api(ctx.api)
    namespace = ctx.scratch_namespace()
    name = "gpu-hpa-workload"
    metric = kube.option(ctx, SETTINGS, "metric")
    annotation = kube.option(ctx, SETTINGS, "load_annotation")
    timeout = kube.option(ctx, SETTINGS, "scale_timeout_s")
    ctx.create(workload(name, ctx.labels, kube.option(ctx, SETTINGS, "workload_image"), annotation), namespace=namespace)
    ctx.create(hpa(name, metric, str(kube.option(ctx, SETTINGS, "target")), kube.option(ctx, SETTINGS, "max_replicas")),
               namespace=namespace)
    started = time.monotonic()
    timeout = kube.budget(ctx, timeout)
    kube.wait_until(lambda: _hpa_state(ctx, namespace, name)["conditions"].get("ScalingActive", "").startswith("True"),
                    timeout, interval=3)
    state = _hpa_state(ctx, namespace, name)
    if not state["conditions"].get("ScalingActive", "").startswith("True"):
        return [Step("hpa_scaling_active", FAIL, "HPA on a GPU Deployment with Pods metric %s: not ScalingActive "
                     "within %d s (%s)" % (metric, timeout, state["conditions"].get("ScalingActive", "no condition")),
                     state)]
    steps = [Step("hpa_scaling_active", PASS, "HPA on a GPU Deployment reads Pods metric %s (ScalingActive=True after "
                  "%.0f s)" % (metric, time.monotonic() - started), state)]
    driver = kube.option(ctx, SETTINGS, "metric_driver")
    if driver != "annotation":
        steps.append(Step("scaling", SKIP, "scale up/down not exercised: no way to drive metric %s is configured "
                          "(metric_driver is %r)" % (metric, driver)))
        return steps
    max_replicas = kube.option(ctx, SETTINGS, "max_replicas")
    for phase, load, wanted in (("scale_up", kube.option(ctx, SETTINGS, "high_load"), max_replicas),
                                ("scale_down", kube.option(ctx, SETTINGS, "low_load"), 1)):
        started = time.monotonic()

        def replicas_reached():
            for pod in core.list_namespaced_pod(namespace, label_selector="app=" + name).items:
                if (pod.metadata.annotations or {}).get(annotation) != str(load):
                    core.patch_namespaced_pod(pod.metadata.name, namespace,
                                              {"metadata": {"annotations": {annotation: str(load)}}})
            return apps.read_namespaced_deployment(name, namespace).spec.replicas == wanted

        wait = kube.budget(ctx, timeout)
        reached = kube.wait_until(replicas_reached, wait, interval=3)
        state = _hpa_state(ctx, namespace, name)
        state["load_percent"] = load
        if reached:
            steps.append(Step(phase, PASS, "GPU load %s%% -> HPA set %d replica(s) in %.0f s (metric now %s)" % (
                load, wanted, time.monotonic() - started, _metric_value(state)), state))
        else:
            steps.append(Step(phase, FAIL, "GPU load %s%%: Deployment not at %d replica(s) within %d s (%s)" % (
                load, wanted, wait, state["conditions"].get("AbleToScale") or state["conditions"]), state))
            break
    return steps


def _metric_value(state):
    for current in state.get("current_metrics") or []:
        value = ((current.get("pods") or {}).get("current") or {}).get("averageValue")
        if value is not None:
            return value
    return "unknown"
