# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Requirement accelerator_metrics (KAR-0059): a DCGM-exporter-style endpoint exposes per-GPU
utilization and memory (MUST) and temperature and power (SHOULD) in the Prometheus text format.

The endpoint is found through its Service and read through the API server's service proxy (or
directly, see kube.service_get_text), then parsed with promtext."""

from __future__ import annotations

from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube, promtext
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS, SKIP, Step

ID = "accelerator_metrics"

SETTINGS = {
    "exporter_service": ("", "namespace/name of the exporter Service; empty: label app=nvidia-dcgm-exporter "
                             "or name nvidia-dcgm-exporter in any namespace"),
    "exporter_port": ("", "port name or number on that Service; empty: the port named metrics/gpu-metrics, else the first"),
    "metrics_path": ("/metrics", "HTTP path of the metrics endpoint"),
    "metrics_url": ("", "read the endpoint directly at this URL from the verifier host instead of through the Service"),
    "metric_driver": ("", "active: how a test workload's GPU load is set: 'annotation' (see load_annotation); empty: "
                          "the utilization-follows-load step is not run"),
    "load_annotation": (kube.LOAD_ANNOTATION, "pod annotation holding the GPU load (percent) the "
                                              "workload image generates (read via the downward API)"),
    "load_percent": (80, "GPU load the test workload is asked for"),
    "workload_image": ("registry.k8s.io/pause:3.10", "image of the test workload: a load generator reading "
                                                     "/etc/podinfo/annotations when metric_driver is annotation"),
    "change_timeout_s": (120, "how long the workload's utilization series may take to appear and to change"),
}

SERVICE_LABELS = ("app=nvidia-dcgm-exporter", "app.kubernetes.io/name=dcgm-exporter")
SERVICE_NAMES = ("nvidia-dcgm-exporter", "dcgm-exporter")
UTILIZATION = ("DCGM_FI_DEV_GPU_UTIL",)
MEMORY = ("DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE")
SHOULD = {"temperature": ("DCGM_FI_DEV_GPU_TEMP",), "power": ("DCGM_FI_DEV_POWER_USAGE",)}
# Label keys that identify one accelerator in a series (DCGM exporter and the upstream test's list).
DEVICE_LABELS = ("gpu", "UUID", "uuid", "device", "pci_bus_id", "card_id", "GPU_I_ID")
# How a stand-in exporter is recognised: a label or annotation key on its Service, or its HELP text.
STAND_IN_MARK = "stand-in"


def device_of(labels):
    """A stable identifier of the device a series belongs to, or None when it carries no device label."""
    parts = ["%s=%s" % (k, labels[k]) for k in DEVICE_LABELS if labels.get(k)]
    host = labels.get("Hostname") or labels.get("hostname")
    if parts and host:
        parts.insert(0, "host=" + host)
    return ",".join(parts) or None


def family_evidence(exposition, names):
    """(found name, devices, samples without a device label) for the first of `names` present."""
    for name in names:
        series = exposition.series(name)
        if series:
            devices = sorted({device_of(s.labels) for s in series if device_of(s.labels)})
            unlabelled = sum(1 for s in series if not device_of(s.labels))
            return name, devices, unlabelled
    return None, [], 0


def evaluate(exposition):
    """Steps for the parsed endpoint: MUST families per device, SHOULD families noted."""
    steps = []
    for what, names in (("utilization", UTILIZATION), ("memory", MEMORY)):
        name, devices, unlabelled = family_evidence(exposition, names)
        evidence = {"metric": name, "devices": devices, "series_without_device_label": unlabelled}
        if name is None:
            steps.append(Step(what, FAIL, "no %s series (%s) on the endpoint" % (what, " or ".join(names)),
                              dict(evidence, looked_for=list(names))))
        elif not devices:
            steps.append(Step(what, FAIL, "%s has no per-device label (%s)" % (name, ", ".join(DEVICE_LABELS)),
                              evidence))
        else:
            evidence["sample"] = [{"labels": s.labels, "value": s.value} for s in exposition.series(name)[:2]]
            steps.append(Step(what, PASS, "%s reported for %d device(s)" % (name, len(devices)), evidence))
    for what, names in SHOULD.items():
        name, devices, _unlabelled = family_evidence(exposition, names)
        if name and devices:
            steps.append(Step(what, PASS, "%s reported for %d device(s)" % (name, len(devices)),
                              {"metric": name, "devices": devices}))
        else:
            steps.append(Step(what, SKIP, "%s (SHOULD) not exposed" % " or ".join(names), {"looked_for": list(names)}))
    return steps


def stand_in_marks(service, exposition):
    """Where the endpoint declares itself a stand-in (Service labels/annotations, HELP text); [] if nowhere."""
    marks = []
    if service is not None:
        meta = service.metadata
        for kind, values in (("label", meta.labels or {}), ("annotation", meta.annotations or {})):
            marks += ["Service %s %s=%s" % (kind, k, v) for k, v in values.items()
                      if STAND_IN_MARK in k.lower() or STAND_IN_MARK in str(v).lower()]
    marks += ["HELP %s: %s" % (k, v) for k, v in exposition.help.items() if STAND_IN_MARK in v.lower()][:3]
    return marks


def _fetch(ctx, service, url, node=None):
    """(text, via) of the metrics endpoint; with `node`, that node's exporter pod where the Service selects pods."""
    path = kube.option(ctx, SETTINGS, "metrics_path")
    if url:
        return kube.http_get_text(url), "direct %s (metrics_url setting)" % url
    if node and service.spec.selector:
        text_via = kube.node_local_pod_get_text(ctx.api, service, node, path, kube.option(ctx, SETTINGS, "exporter_port"))
        if text_via:
            return text_via
    return kube.service_get_text(ctx.api, service, path, kube.option(ctx, SETTINGS, "exporter_port"))


def run(ctx):
    from kubernetes import client

    url = kube.option(ctx, SETTINGS, "metrics_url")
    service = None
    if not url:
        core = client.CoreV1Api(ctx.api)
        services = kube.find_services(core, kube.option(ctx, SETTINGS, "exporter_service"), SERVICE_LABELS,
                                      SERVICE_NAMES)
        if not services:
            looked = kube.option(ctx, SETTINGS, "exporter_service") or "labels %s or names %s in all namespaces" % (
                ", ".join(SERVICE_LABELS), ", ".join(SERVICE_NAMES))
            return [Step("endpoint", FAIL, "no accelerator metrics exporter Service found (looked for %s)" % looked,
                         {"looked_for": looked})]
        service = services[0]
    try:
        text, via = _fetch(ctx, service, url)
    except Exception as exc:  # unreachable endpoint: a failed observation, named
        target = url or "Service %s/%s" % (service.metadata.namespace, service.metadata.name)
        return [Step("endpoint", FAIL, "could not read metrics from %s: %s" % (target, kube.describe_error(exc)),
                     {"target": target})]
    try:
        exposition = promtext.parse(text)
    except promtext.ParseError as exc:
        return [Step("endpoint", FAIL, "the endpoint did not return the Prometheus text format: %s" % exc,
                     {"via": via, "body_start": text[:200]})]
    evidence = {"via": via, "series": len(exposition.samples), "metric_families": len(exposition.names())}
    if service is not None:
        evidence["service"] = "%s/%s" % (service.metadata.namespace, service.metadata.name)
    marks = stand_in_marks(service, exposition)
    message = "read %d samples via %s" % (len(exposition.samples), via)
    if marks:
        evidence["stand_in"] = marks
        message += "; the endpoint is a STAND-IN exporter, not NVIDIA DCGM exporter (%s)" % marks[0]
    steps = [Step("endpoint", PASS, message, evidence)] + evaluate(exposition)
    if ctx.active and kube.option(ctx, SETTINGS, "metric_driver") == "annotation" and \
            all(s.status == PASS for s in steps[:3]):
        steps.append(utilization_follows_load(ctx, service, url))
    return steps


def pod_utilization(exposition, namespace, pod):
    """Values of the utilization series attributed to one pod (exporter labels namespace/pod)."""
    return [s.value for name in UTILIZATION for s in exposition.series(name)
            if s.labels.get("namespace") == namespace and s.labels.get("pod") == pod]


def utilization_follows_load(ctx, service, url):
    """A GPU pod asked (via its annotation) for load_percent: its utilization series must appear and change."""
    from kubernetes import client

    core = client.CoreV1Api(ctx.api)
    namespace = ctx.scratch_namespace()
    annotation = kube.option(ctx, SETTINGS, "load_annotation")
    load = kube.option(ctx, SETTINGS, "load_percent")
    timeout = kube.option(ctx, SETTINGS, "change_timeout_s")
    pod = kube.pause_pod("gpu-load", ctx.labels, gpus=1, image=kube.option(ctx, SETTINGS, "workload_image"))
    pod["metadata"]["annotations"] = {annotation: "0"}
    pod["spec"]["volumes"] = [{"name": "podinfo", "downwardAPI": {"items": [
        {"path": "annotations", "fieldRef": {"fieldPath": "metadata.annotations"}}]}}]
    pod["spec"]["containers"][0]["volumeMounts"] = [{"name": "podinfo", "mountPath": "/etc/podinfo"}]
    core.create_namespaced_pod(namespace, pod)
    seen = {}

    def values():
        current = core.read_namespaced_pod("gpu-load", namespace)
        seen["pod"] = kube.pod_state(current)
        if current.status.phase != "Running":
            return None
        seen["values"] = pod_utilization(promtext.parse(_fetch(ctx, service, url, current.spec.node_name)[0]),
                                         namespace, "gpu-load")
        return seen["values"]

    first = kube.budget(ctx, timeout)
    before = kube.wait_until(values, first, interval=2)
    if not before:
        return Step("utilization_follows_load", FAIL, "no utilization series attributed to GPU pod %s/gpu-load "
                    "within %d s" % (namespace, first), seen)
    core.patch_namespaced_pod("gpu-load", namespace, {"metadata": {"annotations": {annotation: str(load)}}})
    timeout = kube.budget(ctx, timeout)
    after = kube.wait_until(lambda: (values() or before) != before and seen["values"], timeout, interval=2)
    evidence = dict(seen, before=before, after=after or seen.get("values"), load_percent=load)
    if not after:
        return Step("utilization_follows_load", FAIL, "the GPU utilization of pod %s/gpu-load stayed %s within %d s "
                    "after asking for %s%% load" % (namespace, before, timeout, load), evidence)
    return Step("utilization_follows_load", PASS, "the GPU utilization of pod %s/gpu-load went from %s to %s after "
                "asking for %s%% load" % (namespace, before, after, load), evidence)
