# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Small read/wait helpers shared by the checks. All lists are paginated: request counts must not
grow with the number of nodes (see `make bench`)."""

from __future__ import annotations

import time

GPU_RESOURCE = "nvidia.com/gpu"
# kwok marks the nodes it fakes with this annotation; evidence from them is labelled simulated.
SIMULATED_NODE_ANNOTATION = "kwok.x-k8s.io/node"
PAGE_SIZE = 500


def list_all(list_fn, *args, **kwargs):
    """Every item of a list call, fetched in pages of PAGE_SIZE (works for typed and dynamic clients)."""
    items, token = [], None
    while True:
        page = list_fn(*args, limit=PAGE_SIZE, _continue=token, **kwargs)
        items.extend(page.items)
        token = page.metadata._continue if hasattr(page.metadata, "_continue") else page.metadata.get("continue")
        if not token:
            return items


def served_resources(api_client, group_version):
    """{plural: {kind, namespaced}} served for 'group/version' (or 'v1'); {} when the group version is not served."""
    from kubernetes.client.rest import ApiException

    path = "/api/v1" if group_version == "v1" else "/apis/" + group_version
    try:
        data = api_client.call_api(path, "GET", response_type="object", auth_settings=["BearerToken"],
                                   _return_http_data_only=True)
    except ApiException as exc:
        if exc.status == 404:
            return {}
        raise
    return {r["name"]: {"kind": r["kind"], "namespaced": r["namespaced"]}
            for r in data.get("resources", []) if "/" not in r["name"]}


def get_json(api_client, path, query=None):
    """GET an arbitrary API path and return the decoded JSON (e.g. /version, custom metrics)."""
    return api_client.call_api(path, "GET", query_params=list((query or {}).items()), response_type="object",
                               auth_settings=["BearerToken"], _return_http_data_only=True)


def wait_until(predicate, timeout, interval=1.0):
    """Poll predicate() until it returns a truthy value or timeout seconds pass; returns the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def condition(obj, cond_type):
    """The condition of cond_type from a dict-shaped object's status, or None."""
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") == cond_type:
            return cond
    return None


def is_simulated(node):
    """True for nodes faked by kwok (a typed V1Node or a dict)."""
    meta = node.metadata if hasattr(node, "metadata") else node["metadata"]
    annotations = (meta.annotations if hasattr(meta, "annotations") else meta.get("annotations")) or {}
    return annotations.get(SIMULATED_NODE_ANNOTATION) == "fake"


def gpu_count(node, field="allocatable"):
    """nvidia.com/gpu count of a typed V1Node (0 when absent)."""
    quantities = getattr(node.status, field) or {}
    return int(quantities.get(GPU_RESOURCE, "0"))


def pod_events(core_v1, namespace, pod_name):
    """Events about one pod, oldest first, as (reason, message) pairs."""
    events = core_v1.list_namespaced_event(
        namespace, field_selector="involvedObject.kind=Pod,involvedObject.name=%s" % pod_name).items
    events.sort(key=lambda e: e.last_timestamp or e.event_time or e.metadata.creation_timestamp)
    return [(e.reason, e.message) for e in events]


def pause_pod(name, labels, gpus=0, command=None, node_selector=None, tolerations=None,
              runtime_class=None, image="registry.k8s.io/pause:3.10"):
    """A minimal pod manifest (dict); gpus > 0 requests and limits nvidia.com/gpu."""
    container = {"name": "main", "image": image}
    if command:
        container["command"] = command
    if gpus:
        container["resources"] = {"limits": {GPU_RESOURCE: str(gpus)}, "requests": {GPU_RESOURCE: str(gpus)}}
    spec = {"containers": [container], "restartPolicy": "Never", "terminationGracePeriodSeconds": 0,
            "tolerations": tolerations if tolerations is not None else [{"operator": "Exists"}]}
    if node_selector:
        spec["nodeSelector"] = node_selector
    if runtime_class:
        spec["runtimeClassName"] = runtime_class
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": dict(labels)}, "spec": spec}
