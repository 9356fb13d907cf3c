# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Requirement ai_service_metrics (KAR-0061): a monitoring system discovers workloads that expose
Prometheus metrics and collects them.

The check finds Prometheus (Service by setting or well-known labels, or a URL), asks its HTTP API
for the active scrape targets (/api/v1/targets) and requires a healthy target outside the monitoring
stack and cluster infrastructure, then queries (/api/v1/query) which metrics Prometheus holds from
that target. With workload_metric set, that PromQL expression must return samples instead.
ServiceMonitor/PodMonitor objects are reported as evidence of how discovery is configured.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS, Step

ID = "ai_service_metrics"

SETTINGS = {
    "prometheus_service": ("", "namespace/name of the Prometheus Service; empty: well-known labels and names"),
    "prometheus_port": ("", "port name or number on that Service; empty: web/http, else the first"),
    "prometheus_url": ("", "query Prometheus directly at this base URL from the verifier host instead"),
    "workload_metric": ("", "PromQL expression for a workload metric that must return samples; empty: any healthy "
                            "non-infrastructure target and its metrics"),
    "infrastructure_jobs": ("(?i)prometheus|alertmanager|grafana|node-exporter|kube-state-metrics|dcgm|kubelet|"
                            "cadvisor|apiserver|coredns|kube-dns|etcd|scheduler|controller-manager|kube-proxy|"
                            "operator|pushgateway|blackbox",
                            "regex of scrape job names that are monitoring or cluster infrastructure, not workloads"),
    "exclude_namespaces": (["kube-system"], "target namespaces that do not count as workloads (Prometheus's own "
                                            "namespace is always excluded)"),
}

SERVICE_LABELS = ("app.kubernetes.io/name=prometheus", "operated-prometheus=true",
                  "app=kube-prometheus-stack-prometheus", "app=prometheus")
SERVICE_NAMES = ("prometheus-operated", "prometheus-server", "prometheus", "prometheus-k8s")
INTERNAL_METRICS = re.compile(r"^(up|scrape_.*)$")


def target_namespace(target):
    labels = target.get("labels") or {}
    discovered = target.get("discoveredLabels") or {}
    return labels.get("namespace") or discovered.get("__meta_kubernetes_namespace")


def workload_targets(targets, infra_jobs, exclude_namespaces):
    """(healthy workload targets, summary of every target) from /api/v1/targets activeTargets."""
    pattern = re.compile(infra_jobs) if infra_jobs else None
    workload, seen = [], []
    for target in targets:
        labels = target.get("labels") or {}
        job, namespace = labels.get("job", ""), target_namespace(target)
        infra = bool(pattern and pattern.search(job)) or namespace in exclude_namespaces
        seen.append({"job": job, "instance": labels.get("instance"), "namespace": namespace,
                     "health": target.get("health"), "infrastructure": infra,
                     "last_error": target.get("lastError") or None})
        if not infra and target.get("health") == "up":
            workload.append(target)
    return workload, seen


def discovery_of(target):
    """How Prometheus found a target, from its scrape pool and discovered labels."""
    pool = target.get("scrapePool") or (target.get("labels") or {}).get("job", "")
    discovered = target.get("discoveredLabels") or {}
    if pool.startswith(("serviceMonitor/", "podMonitor/")):
        return "prometheus-operator %s" % pool.split("/", 1)[0]
    for kind in ("service", "pod", "endpoints", "endpointslice"):
        if discovered.get("__meta_kubernetes_%s_annotation_prometheus_io_scrape" % kind) == "true":
            return "Kubernetes service discovery, prometheus.io/scrape annotation on the %s" % kind
    if any(k.startswith("__meta_kubernetes_") for k in discovered):
        return "Kubernetes service discovery (%s)" % (discovered.get("__meta_kubernetes_namespace") or "cluster")
    return "static or other configuration (job %s)" % pool


def stand_in_marks(labels):
    """Target labels declaring the workload a stand-in (e.g. stand_in="true"), as 'key=value' strings."""
    return ["%s=%s" % (k, v) for k, v in sorted(labels.items())
            if "stand_in" in k.lower() or "stand-in" in k.lower() or "stand-in" in str(v).lower()]


def metric_names(query_result):
    """Metric names of a 'count by (__name__) (...)' vector result, minus up/scrape_* series."""
    names = [(r.get("metric") or {}).get("__name__") for r in (query_result.get("data") or {}).get("result") or []]
    return sorted(n for n in names if n and not INTERNAL_METRICS.match(n))


class Prometheus:
    """Prometheus's HTTP API, through its Service (service proxy) or at a URL given in the settings."""

    def __init__(self, api_client, service=None, port=None, url=None):
        self.api, self.service, self.port, self.url = api_client, service, port, url
        self.namespace = service.metadata.namespace if service is not None else None
        self.where = ("direct %s (prometheus_url setting)" % url if url else
                      "Service %s/%s" % (self.namespace, service.metadata.name))
        self.via = self.where

    def get(self, path, query):
        if self.url:
            return json.loads(kube.http_get_text(self.url.rstrip("/") + path + "?" + urlencode(query)))
        text, self.via = kube.service_get_text(self.api, self.service, path, self.port, query)
        return json.loads(text)


def _prometheus(ctx):
    """A Prometheus, or None and what was looked for."""
    from kubernetes import client

    url = kube.option(ctx, SETTINGS, "prometheus_url")
    if url:
        return Prometheus(ctx.api, url=url), url
    named = kube.option(ctx, SETTINGS, "prometheus_service")
    services = kube.find_services(client.CoreV1Api(ctx.api), named, SERVICE_LABELS, SERVICE_NAMES)
    if not services:
        return None, named or "labels %s or names %s in all namespaces" % (
            ", ".join(SERVICE_LABELS), ", ".join(SERVICE_NAMES))
    return Prometheus(ctx.api, services[0], kube.option(ctx, SETTINGS, "prometheus_port") or None), None


def discovery_objects(ctx):
    """Counts of ServiceMonitor/PodMonitor objects (prometheus-operator discovery), when that API is served."""
    served = kube.served_resources(ctx.api, "monitoring.coreos.com/v1")
    return {plural: len(kube.list_json(ctx.api, "/apis/monitoring.coreos.com/v1/" + plural))
            for plural in ("servicemonitors", "podmonitors") if plural in served}


def run(ctx):
    prom, looked_for = _prometheus(ctx)
    if prom is None:
        return [Step("prometheus", FAIL, "no Prometheus found (looked for %s)" % looked_for,
                     {"looked_for": looked_for})]
    get = prom.get
    try:
        targets = get("/api/v1/targets", {"state": "active"})
    except Exception as exc:  # unreachable or not Prometheus: a failed observation, named
        message = "could not query Prometheus at %s: %s" % (prom.where, kube.describe_error(exc))
        return [Step("prometheus", FAIL, message, {"prometheus": prom.where})]
    excluded = list(kube.option(ctx, SETTINGS, "exclude_namespaces") or [])
    if prom.namespace:
        excluded.append(prom.namespace)
    active = (targets.get("data") or {}).get("activeTargets") or []
    steps = [Step("prometheus", PASS, "Prometheus at %s answers: %d active target(s)" % (prom.where, len(active)),
                  {"via": prom.via, "discovery_objects": discovery_objects(ctx)})]
    workload, seen = workload_targets(active, kube.option(ctx, SETTINGS, "infrastructure_jobs"), excluded)
    expression = kube.option(ctx, SETTINGS, "workload_metric")
    if expression:
        result = get("/api/v1/query", {"query": expression})
        series = (result.get("data") or {}).get("result") or []
        evidence = {"query": expression, "result": series[:5], "targets": seen}
        if series:
            steps.append(Step("workload_metrics", PASS, "query %s returned %d series" % (expression, len(series)),
                              evidence))
        else:
            steps.append(Step("workload_metrics", FAIL, "query %s returned no samples" % expression, evidence))
        return steps
    if not workload:
        steps.append(Step("workload_target", FAIL, "no healthy scrape target outside the monitoring stack and "
                          "infrastructure (targets: %s)" % (", ".join("%s %s" % (t["job"], t["health"]) for t in seen)
                                                            or "none"), {"targets": seen, "excluded_namespaces": excluded}))
        return steps
    target = workload[0]["labels"]
    marks = stand_in_marks(target)
    steps.append(Step("workload_target", PASS, "Prometheus discovered and scrapes workload target job=%s instance=%s%s%s"
                      % (target.get("job"), target.get("instance"),
                         " (namespace %s)" % target_namespace(workload[0]) if target_namespace(workload[0]) else "",
                         "; the workload is a STAND-IN (%s)" % ", ".join(marks) if marks else ""),
                      dict({"targets": seen, "target_labels": target, "discovered_by": discovery_of(workload[0])},
                           **({"stand_in": marks} if marks else {}))))
    selector = '{job="%s",instance="%s"}' % (target.get("job"), target.get("instance"))
    result = get("/api/v1/query", {"query": "count by (__name__) (%s)" % selector})
    names = metric_names(result)
    evidence = {"query": "count by (__name__) (%s)" % selector, "metrics": names[:50]}
    if names:
        steps.append(Step("workload_metrics", PASS, "query returned %d metric(s) collected from it, e.g. %s"
                          % (len(names), ", ".join(names[:3])), evidence))
    else:
        steps.append(Step("workload_metrics", FAIL, "a query for the target's series returned only up/scrape_* "
                          "series: no workload metric collected", evidence))
    return steps
