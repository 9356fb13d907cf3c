# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Requirement ai_inference: Gateway API served, a controller accepts its GatewayClass and (active) a
Gateway plus an HTTPRoute with a 70/30 weighted split and a header match."""

from __future__ import annotations

from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS, SKIP, Step

ID = "ai_inference"
GROUP = "gateway.networking.k8s.io"
V1_KINDS = ("gatewayclasses", "gateways", "httproutes", "grpcroutes")

SETTINGS = {
    "gateway_class": ("traefik", "GatewayClass whose controller must accept it"),
    "controller_name": ("traefik.io/gateway-controller", "controllerName the GatewayClass must name"),
    "listener_port": (8000, "port of the test Gateway's HTTP listener (must be one of the controller's entry points)"),
    "header_name": ("x-model", "header the test HTTPRoute matches on (OpenAI-style model routing)"),
    "accept_timeout": (90, "seconds the controller may take to accept the test Gateway and HTTPRoute"),
    "backend_image": ("registry.k8s.io/pause:3.10", "image of the two backend pods behind the test Services"),
}


def served_step(api):
    v1 = kube.served_resources(api, GROUP + "/v1")
    missing = [p for p in V1_KINDS if p not in v1]
    grants = [gv for gv in ("v1", "v1beta1")
              if "referencegrants" in (v1 if gv == "v1" else kube.served_resources(api, GROUP + "/" + gv))]
    evidence = {"v1": sorted(p for p in v1 if p in V1_KINDS or p == "referencegrants"),
                "referencegrants_versions": grants}
    if not grants:
        missing.append("referencegrants (v1 or v1beta1)")
    if missing:
        return Step("gateway_api_served", FAIL, "Gateway API not fully served; missing: " + ", ".join(missing),
                    evidence)
    return Step("gateway_api_served", PASS, "Gateway API v1 GatewayClass, Gateway, HTTPRoute, GRPCRoute and "
                "ReferenceGrant (%s) are served" % "/".join(grants), evidence)


def status_writers(obj):
    """Field managers that wrote the object's status (who claims to be the controller)."""
    return sorted({m.get("manager") for m in (obj.get("metadata") or {}).get("managedFields") or []
                   if m.get("subresource") == "status"})


def describe_conditions(conditions):
    return ", ".join("%s=%s(%s)" % (c.get("type"), c.get("status"), c.get("reason")) for c in conditions or []) \
        or "no conditions"


def class_step(ctx):
    name = kube.option(ctx, SETTINGS, "gateway_class")
    controller = kube.option(ctx, SETTINGS, "controller_name")
    gwc = kube.get_object(ctx.api, GROUP, "v1", "gatewayclasses", name)
    if gwc is None:
        present = ["%s (%s)" % (c["metadata"]["name"], c["spec"].get("controllerName"))
                   for c in kube.list_objects(ctx.api, GROUP, "v1", "gatewayclasses")]
        return Step("gatewayclass_accepted", FAIL, "GatewayClass %s does not exist (present: %s)"
                    % (name, ", ".join(present) or "none"), {"gatewayclasses": present})
    conditions = (gwc.get("status") or {}).get("conditions") or []
    accepted = kube.condition(gwc, "Accepted") or {}
    evidence = {"name": name, "controllerName": gwc["spec"].get("controllerName"), "conditions": conditions,
                "generation": gwc["metadata"].get("generation"), "status_written_by": status_writers(gwc)}
    if gwc["spec"].get("controllerName") != controller:
        return Step("gatewayclass_accepted", FAIL, "GatewayClass %s names controller %s, expected %s"
                    % (name, gwc["spec"].get("controllerName"), controller), evidence)
    current = accepted.get("observedGeneration") in (None, gwc["metadata"].get("generation"))
    if accepted.get("status") != "True" or not current:
        return Step("gatewayclass_accepted", FAIL, "GatewayClass %s is not accepted by its controller: %s%s"
                    % (name, describe_conditions(conditions), "" if current else " (stale observedGeneration)"),
                    evidence)
    return Step("gatewayclass_accepted", PASS, "GatewayClass %s (controller %s) is Accepted: %s"
                % (name, controller, accepted.get("message") or accepted.get("reason")), evidence)


def manifests(ctx):
    labels = ctx.labels
    header = kube.option(ctx, SETTINGS, "header_name")
    objects = []
    for backend in ("backend-a", "backend-b"):
        pod = kube.pause_pod(backend, dict(labels, app=backend), image=kube.option(ctx, SETTINGS, "backend_image"))
        objects.append(("pod", pod))
        objects.append(("service", {
            "apiVersion": "v1", "kind": "Service", "metadata": {"name": backend, "labels": labels},
            "spec": {"selector": {"app": backend}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}}))
    gateway = {
        "apiVersion": GROUP + "/v1", "kind": "Gateway", "metadata": {"name": "inference", "labels": labels},
        "spec": {"gatewayClassName": kube.option(ctx, SETTINGS, "gateway_class"), "listeners": [{
            "name": "http", "protocol": "HTTP", "port": int(kube.option(ctx, SETTINGS, "listener_port")),
            "allowedRoutes": {"namespaces": {"from": "Same"}}}]},
    }
    route = {
        "apiVersion": GROUP + "/v1", "kind": "HTTPRoute", "metadata": {"name": "inference", "labels": labels},
        "spec": {"parentRefs": [{"name": "inference"}], "rules": [
            # Header-based routing: requests for one model go to backend-b only.
            {"matches": [{"headers": [{"type": "Exact", "name": header, "value": "model-b"}]}],
             "backendRefs": [{"name": "backend-b", "port": 80}]},
            # Weighted split for everything else.
            {"matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
             "backendRefs": [{"name": "backend-a", "port": 80, "weight": 70},
                             {"name": "backend-b", "port": 80, "weight": 30}]},
        ]},
    }
    return objects, gateway, route


def route_parent_status(route, controller):
    """The HTTPRoute's status entry written by controller for our Gateway, or {}."""
    for parent in (route.get("status") or {}).get("parents") or []:
        if parent.get("controllerName") == controller and parent.get("parentRef", {}).get("name") == "inference":
            return parent
    return {}


def cond_true(conditions, cond_type):
    return any(c.get("type") == cond_type and c.get("status") == "True" for c in conditions or [])


def routing_step(ctx):
    from kubernetes import client

    api = ctx.api
    controller = kube.option(ctx, SETTINGS, "controller_name")
    namespace = ctx.scratch_namespace()
    core = client.CoreV1Api(api)
    objects, gateway, route = manifests(ctx)
    for kind, body in objects:
        (core.create_namespaced_pod if kind == "pod" else core.create_namespaced_service)(namespace, body)
    kube.create_object(api, GROUP, "v1", "gateways", gateway, namespace)
    kube.create_object(api, GROUP, "v1", "httproutes", route, namespace)

    def observe():
        gw = kube.get_object(api, GROUP, "v1", "gateways", "inference", namespace)
        rt = kube.get_object(api, GROUP, "v1", "httproutes", "inference", namespace)
        parent = route_parent_status(rt, controller)
        done = (cond_true((gw.get("status") or {}).get("conditions"), "Accepted")
                and cond_true(parent.get("conditions"), "Accepted")
                and cond_true(parent.get("conditions"), "ResolvedRefs"))
        return gw, rt, parent, done

    timeout = kube.wait_seconds(ctx, SETTINGS, "accept_timeout")
    state = {}

    def accepted():
        state["last"] = observe()
        return state["last"][3]

    kube.wait_until(accepted, timeout, interval=2.0)
    gw, rt, parent, done = state["last"]
    gw_conditions = (gw.get("status") or {}).get("conditions") or []
    evidence = {
        "namespace": namespace,
        "gateway": {"conditions": gw_conditions, "listeners": (gw.get("status") or {}).get("listeners"),
                    "status_written_by": status_writers(gw)},
        "httproute": {"rules": rt["spec"]["rules"], "parent_status": parent, "status_written_by": status_writers(rt)},
    }
    if done:
        return Step("weighted_header_route", PASS, "Gateway inference is Accepted and HTTPRoute inference (70/30 "
                    "weighted split, header match on %s) is Accepted with ResolvedRefs=True by %s"
                    % (kube.option(ctx, SETTINGS, "header_name"), controller), evidence)
    return Step("weighted_header_route", FAIL, "within %gs the controller %s did not accept the test route: "
                "Gateway %s; HTTPRoute %s" % (timeout, controller, describe_conditions(gw_conditions),
                                              describe_conditions(parent.get("conditions")) if parent
                                              else "no status from " + controller), evidence)


def run(ctx):
    steps = [served_step(ctx.api)]
    if steps[0].status != PASS:
        steps.append(Step("gatewayclass_accepted", SKIP, "not checked: the Gateway API is not served"))
        return steps
    steps.append(class_step(ctx))
    if not ctx.active:
        steps.append(Step("weighted_header_route", SKIP, "passive run: routing not tested"))
    elif steps[1].status != PASS:
        steps.append(Step("weighted_header_route", SKIP, "routing not tested: no accepted GatewayClass"))
    else:
        steps.append(routing_step(ctx))
    return steps
