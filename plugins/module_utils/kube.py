# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Small read/wait helpers shared by the checks. All lists are paginated: request counts must not
grow with the number of nodes (see `make bench`)."""

from __future__ import annotations

import time

GPU_RESOURCE = "nvidia.com/gpu"
# Pod annotation through which active checks ask a test workload for a GPU load (percent); the workload
# reads it via the downward API (metric_driver: annotation in accelerator_metrics and pod_autoscaling).
LOAD_ANNOTATION = "ai-conformance.rke2/gpu-load-percent"
# kwok marks the nodes it fakes with this annotation; evidence from them is labelled simulated.
SIMULATED_NODE_ANNOTATION = "kwok.x-k8s.io/node"
PAGE_SIZE = 500


def list_all(list_fn, *args, **kwargs):
    """Every item of a list call, fetched in pages of PAGE_SIZE (works for typed and dynamic clients)."""
    items, token = [], None
    while True:
        page = list_fn(*args, limit=PAGE_SIZE, _continue=token, **kwargs)
        if isinstance(page, dict):  # CustomObjectsApi answers with plain dicts
            items.extend(page.get("items") or [])
            token = (page.get("metadata") or {}).get("continue")
        else:
            items.extend(page.items)
            meta = page.metadata
            token = meta._continue if hasattr(meta, "_continue") else meta.get("continue")
        if not token:
            return items


def served_resources(api_client, group_version):
    """{plural: {kind, namespaced}} served for 'group/version' (or 'v1'); {} when the group version is not served."""
    from kubernetes.client.rest import ApiException

    path = "/api/v1" if group_version == "v1" else "/apis/" + group_version
    try:
        data = get_json(api_client, path)
    except ApiException as exc:
        if exc.status == 404:
            return {}
        raise
    return {r["name"]: {"kind": r["kind"], "namespaced": r["namespaced"]}
            for r in data.get("resources", []) if "/" not in r["name"]}


def get_json(api_client, path, query=None):
    """GET an arbitrary API path and return the decoded JSON (e.g. /version, custom metrics).

    Goes through raw_request (kubernetes >= 35 dropped call_api's response_type); a non-2xx answer
    raises ApiException like the typed APIs do.
    """
    import json

    return json.loads(raw_request(api_client, "GET", path, query).data)


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


# --- helpers for the accelerator, networking and security checks -------------------------------

GPU_PRESENT_LABEL = "nvidia.com/gpu.present"
# Taints an accelerator check's pods tolerate: the GPU Operator's usual GPU-node taint, and kwok's
# fake-node taint (a stand-in node; tolerating it lets the same check run on the simulated cluster).
DEFAULT_TOLERATIONS = [
    {"key": GPU_RESOURCE, "operator": "Exists", "effect": "NoSchedule"},
    {"key": SIMULATED_NODE_ANNOTATION, "operator": "Exists", "effect": "NoSchedule"},
]


def option(ctx, settings, key):
    """A check setting: the user's value, else the default declared in the check's SETTINGS."""
    return ctx.setting(key, settings[key][0])


def wait_seconds(ctx, settings, key):
    """A check's wait setting, capped by the run's timeout (conformance_check promises that bound)."""
    return min(float(option(ctx, settings, key)), float(ctx.timeout))


def list_nodes(api_client):
    """Every Node (typed), paginated: the one node list a check makes."""
    from kubernetes import client

    return list_all(client.CoreV1Api(api_client).list_node)


def list_objects(api_client, group, version, plural, namespace=None, label_selector=None):
    """Every object (dict) of group/version/plural, cluster-wide or in one namespace, paginated."""
    from kubernetes import client

    custom = client.CustomObjectsApi(api_client)
    extra = {"label_selector": label_selector} if label_selector else {}
    if namespace:
        return list_all(custom.list_namespaced_custom_object, group, version, namespace, plural, **extra)
    return list_all(custom.list_cluster_custom_object, group, version, plural, **extra)


def get_object(api_client, group, version, plural, name, namespace=None):
    """One object (dict), or None when it does not exist."""
    from kubernetes import client
    from kubernetes.client.rest import ApiException

    custom = client.CustomObjectsApi(api_client)
    try:
        if namespace:
            return custom.get_namespaced_custom_object(group, version, namespace, plural, name)
        return custom.get_cluster_custom_object(group, version, plural, name)
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise


def create_object(api_client, group, version, plural, body, namespace=None):
    """Create a dict-shaped object of group/version/plural; returns the stored object."""
    from kubernetes import client

    custom = client.CustomObjectsApi(api_client)
    if namespace:
        return custom.create_namespaced_custom_object(group, version, namespace, plural, body)
    return custom.create_cluster_custom_object(group, version, plural, body)


def labels_of(node):
    """Labels of a typed object or a dict ({} when none)."""
    if isinstance(node, dict):
        return (node.get("metadata") or {}).get("labels") or {}
    return node.metadata.labels or {}


def is_gpu_node(node):
    """An NVIDIA GPU node: GFD/NFD label gpu.present=true or nvidia.com/gpu in its capacity."""
    return labels_of(node).get(GPU_PRESENT_LABEL) == "true" or gpu_count(node, "capacity") > 0


def pod_state(pod):
    """A short, JSON-friendly description of a typed V1Pod: phase, node, scheduling verdict."""
    status = pod.status
    scheduled = None
    for cond in (status.conditions or []) if status else []:
        if cond.type == "PodScheduled":
            scheduled = {"status": cond.status, "reason": cond.reason, "message": cond.message}
    return {"phase": status.phase if status else None, "node": pod.spec.node_name, "scheduled": scheduled}


def wait_pods(core_v1, namespace, names, done, timeout, interval=1.0):
    """Poll the named pods until done(pods_by_name) is true or timeout passes; returns the last pods.

    One namespaced list per poll (the namespace holds only the check's own pods).
    """
    def poll():
        pods = {p.metadata.name: p for p in core_v1.list_namespaced_pod(namespace).items
                if p.metadata.name in names}
        return pods, done(pods)

    deadline = time.monotonic() + timeout
    while True:
        pods, finished = poll()
        if finished or time.monotonic() >= deadline:
            return pods
        time.sleep(interval)


def gpus_requested_on(core_v1, node_name):
    """nvidia.com/gpu limits of the unfinished pods bound to one node (one pod list for that node)."""
    used = 0
    for pod in list_all(core_v1.list_pod_for_all_namespaces, field_selector="spec.nodeName=" + node_name):
        if pod.status.phase in ("Succeeded", "Failed"):
            continue
        for container in pod.spec.containers:
            limits = (container.resources.limits if container.resources else None) or {}
            used += int(limits.get(GPU_RESOURCE, "0"))
    return used


def pin_to_nodes(pod, node_names):
    """Require a pod manifest to land on one of node_names (matchFields takes one name per term; terms OR)."""
    pod["spec"]["affinity"] = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [name]}]}
                              for name in node_names]}}}
    return pod


def running(pod, finished_ok=True):
    """True once a pod runs (Running, or Succeeded when finished_ok)."""
    phase = pod.status.phase if pod and pod.status else None
    return phase == "Running" or (finished_ok and phase == "Succeeded")


# Helpers for the scheduling, observability and operator checks (raw JSON calls: no dynamic client,
# whose discovery would cost dozens of requests per check).

def raw_request(api_client, method, path, query=None, body=None, content_type="application/json", timeout=None):
    """One request to an API path (any method); returns the read response, raises ApiException on non-2xx."""
    from kubernetes.client.rest import ApiException

    method, url, headers, body = api_client.param_serialize(
        method, path, query_params=list((query or {}).items()), body=body,
        header_params={"Content-Type": content_type, "Accept": "application/json, */*"},
        auth_settings=["BearerToken"])[:4]
    response = api_client.call_api(method, url, header_params=headers, body=body, _request_timeout=timeout)
    response.read()
    if not 200 <= response.status < 300:
        raise ApiException(http_resp=response)
    return response


def send_json(api_client, method, path, body=None, query=None):
    """Send a JSON request (e.g. POST) to an API path; returns the decoded response."""
    import json

    return json.loads(raw_request(api_client, method, path, query, body).data or b"null")


def get_or_none(api_client, path):
    """get_json, or None when the object does not exist (404)."""
    from kubernetes.client.rest import ApiException

    try:
        return get_json(api_client, path)
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise


def list_json(api_client, path, query=None):
    """Every item of a list path (e.g. /apis/apps/v1/deployments), fetched in pages of PAGE_SIZE."""
    items, token = [], None
    while True:
        params = dict(query or {}, limit=PAGE_SIZE)
        if token:
            params["continue"] = token
        page = get_json(api_client, path, params)
        items.extend(page.get("items") or [])
        token = (page.get("metadata") or {}).get("continue")
        if not token:
            return items


def crds_of_group(api_client, group):
    """{crd name: {'established': bool, 'served': [versions], 'plural': str}} for one API group."""
    result = {}
    for crd in list_json(api_client, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"):
        spec = crd.get("spec") or {}
        if spec.get("group") != group:
            continue
        established = condition(crd, "Established")
        result[crd["metadata"]["name"]] = {
            "established": bool(established and established.get("status") == "True"),
            "served": [v["name"] for v in spec.get("versions") or [] if v.get("served")],
            "plural": (spec.get("names") or {}).get("plural"),
            "kind": (spec.get("names") or {}).get("kind"),
            "namespaced": spec.get("scope") == "Namespaced",
        }
    return result


def deployment_readiness(deployment):
    """(ready replicas, desired replicas) of a dict-shaped Deployment."""
    desired = (deployment.get("spec") or {}).get("replicas", 1)
    return (deployment.get("status") or {}).get("readyReplicas") or 0, desired


def api_error_message(exc):
    """The Status message of an ApiException (or its text)."""
    import json

    try:
        return json.loads(exc.body).get("message") or str(exc.body)
    except (TypeError, ValueError, AttributeError):
        return str(getattr(exc, "body", None) or exc)


def dry_run_create(api_client, path, body):
    """Server-side dry-run create (admission webhooks run, nothing is stored): (HTTP status, message)."""
    from kubernetes.client.rest import ApiException

    try:
        send_json(api_client, "POST", path, body, query={"dryRun": "All"})
        return 201, ""
    except ApiException as exc:
        return exc.status, api_error_message(exc)


def denied_by_webhook(message):
    """True when an API error message comes from an admission webhook's denial (not schema/CEL)."""
    return "admission webhook" in message and "denied the request" in message


def webhook_unreachable(message):
    """True when the API server could not call an admission webhook (controller not serving)."""
    return "failed calling webhook" in message


def webhooks_for_group(api_client, group):
    """Names of Validating/MutatingWebhookConfigurations with a rule covering API group `group`."""
    found = {}
    for kind in ("validatingwebhookconfigurations", "mutatingwebhookconfigurations"):
        for config in list_json(api_client, "/apis/admissionregistration.k8s.io/v1/" + kind):
            for hook in config.get("webhooks") or []:
                if any(group in (rule.get("apiGroups") or []) or "*" in (rule.get("apiGroups") or [])
                       for rule in hook.get("rules") or []):
                    found.setdefault(kind, []).append("%s/%s" % (config["metadata"]["name"], hook.get("name")))
    return found


def http_get_text(url, timeout=10):
    """GET a URL directly from the verifier host; returns the body text."""
    from ansible.module_utils.urls import open_url

    # The URL comes from the user's settings or an ExternalName Service.
    return open_url(url, timeout=timeout, validate_certs=False).read().decode("utf-8", "replace")


def _service_port(service, port=None):
    """The (scheme, port number) to use on a typed V1Service; `port` (name or number) overrides."""
    ports = service.spec.ports or []
    chosen = None
    if port:
        chosen = next((p for p in ports if str(p.port) == str(port) or p.name == str(port)), None)
        if chosen is None:
            return "http", int(port) if str(port).isdigit() else None
    else:
        preferred = ("metrics", "gpu-metrics", "http-metrics", "web", "http", "https")
        chosen = next((p for name in preferred for p in ports if p.name == name), ports[0] if ports else None)
    if chosen is None:
        return "http", None
    scheme = "https" if (chosen.name or "").startswith("https") or chosen.port == 443 else "http"
    return scheme, chosen.port


def service_get_text(api_client, service, path, port=None, query=None, timeout=10):
    """GET path (with query dict) from a typed V1Service; returns (text, how it was reached).

    Normally through the API server's service proxy, so the verifier needs no route to pods. The
    proxy resolves the Service's Endpoints; an ExternalName Service has none (the proxy answers
    503/404), so for ExternalName the path is fetched directly at externalName:port from the
    verifier host, and the evidence says so.
    """
    from urllib.parse import quote, urlencode

    from kubernetes.client.rest import ApiException

    meta = service.metadata
    scheme, number = _service_port(service, port)
    if number is None:
        raise ValueError("Service %s/%s declares no port; set the port in the check's settings"
                         % (meta.namespace, meta.name))
    qs = ("?" + urlencode(query)) if query else ""
    proxy = "/api/v1/namespaces/%s/services/%s:%s:%d/proxy/%s" % (
        meta.namespace, scheme, meta.name, number, quote(path.lstrip("/"), safe="/"))
    try:
        resp = raw_request(api_client, "GET", proxy, query, timeout=timeout)
        return resp.data.decode("utf-8", "replace"), "API server service proxy %s" % proxy
    except ApiException as exc:
        if service.spec.type != "ExternalName":
            raise
        refused = "%s %s" % (exc.status, api_error_message(exc))
    url = "%s://%s:%d/%s%s" % (scheme, service.spec.external_name, number, path.lstrip("/"), qs)
    return http_get_text(url, timeout), ("direct %s (ExternalName Service %s/%s; the API server's service proxy "
                                         "refused it: %s)" % (url, meta.namespace, meta.name, refused))


def find_services(core_v1, namespaced_name=None, label_selectors=(), names=()):
    """Services matching 'ns/name', else the first label selector with hits, else any of `names`."""
    if namespaced_name:
        namespace, name = (namespaced_name.split("/", 1) + [""])[:2]
        return list_all(core_v1.list_namespaced_service, namespace, field_selector="metadata.name=" + name)
    for selector in label_selectors:
        found = list_all(core_v1.list_service_for_all_namespaces, label_selector=selector)
        if found:
            return found
    for name in names:
        found = list_all(core_v1.list_service_for_all_namespaces, field_selector="metadata.name=" + name)
        if found:
            return found
    return []


def describe_error(exc):
    """One line for an API or network error: the HTTP status and Status message where there is one."""
    status = getattr(exc, "status", None)
    if status is not None and hasattr(exc, "body"):
        return "HTTP %s: %s" % (status, api_error_message(exc))
    return "%s: %s" % (type(exc).__name__, exc)


def deployment_summary(deployments):
    """(['ns/name ready/desired ready', ...], whether any has a ready replica) for dict-shaped Deployments."""
    shown = ["%s/%s %d/%d ready" % ((d["metadata"]["namespace"], d["metadata"]["name"]) + deployment_readiness(d))
             for d in deployments]
    return shown, any(deployment_readiness(d)[0] >= 1 for d in deployments)


def node_local_pod_get_text(api_client, service, node, path, port=None, timeout=10):
    """GET path from the pod behind a selector-backed V1Service that runs on `node` (e.g. a DaemonSet's),
    through the API server's pod proxy; (text, how it was reached), or None when no such pod runs there."""
    from kubernetes import client

    selector = ",".join("%s=%s" % kv for kv in sorted(service.spec.selector.items()))
    pods = client.CoreV1Api(api_client).list_namespaced_pod(
        service.metadata.namespace, label_selector=selector, field_selector="spec.nodeName=" + node).items
    running = [p for p in pods if p.status.phase == "Running"]
    if not running:
        return None
    pod = running[0]
    _scheme, number = _service_port(service, port)
    svc_port = next((p for p in service.spec.ports or [] if p.port == number), None)
    target = svc_port.target_port if svc_port is not None and svc_port.target_port is not None else number
    if isinstance(target, str) and not target.isdigit():  # a named container port
        target = next((cp.container_port for c in pod.spec.containers for cp in c.ports or [] if cp.name == target),
                      number)
    proxy = "/api/v1/namespaces/%s/pods/%s:%s/proxy/%s" % (pod.metadata.namespace, pod.metadata.name, target,
                                                           path.lstrip("/"))
    resp = raw_request(api_client, "GET", proxy, timeout=timeout)
    return resp.data.decode("utf-8", "replace"), "API server pod proxy %s (exporter on node %s)" % (proxy, node)


def budget(ctx, seconds):
    """`seconds`, cut to what is left of the check's own timeout (ctx.timeout, counted from ctx.started), so a
    wait never outlives the check; at least 1 s."""
    left = ctx.started + ctx.timeout - time.monotonic()
    return max(1, int(min(seconds, left)))
