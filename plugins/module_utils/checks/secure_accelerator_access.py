# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Requirement secure_accelerator_access: GPU access only through the resource framework.

Configuration: the NVIDIA toolkit refuses NVIDIA_VISIBLE_DEVICES from unprivileged containers and the
device plugin hands devices over by volume mounts or CDI. Active (device-plugin or DRA mode, as the
upstream TestSecureAcceleratorAccess): one pod per free GPU runs, one more stays Pending for lack of a
GPU, and a pod without a GPU request (but asking for every GPU through NVIDIA_VISIBLE_DEVICES=all) runs
and sees no /dev/nvidia* device.
"""

from __future__ import annotations

from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import ERROR, FAIL, PASS, SKIP, Step

ID = "secure_accelerator_access"

ENVVAR_KEY = "accept-nvidia-visible-devices-envvar-when-unprivileged"
MOUNTS_KEY = "accept-nvidia-visible-devices-as-volume-mounts"
SAFE_STRATEGIES = {"volume-mounts", "cdi-annotations", "cdi-cri"}
SCAN_BEGIN, SCAN_END = "devices-begin", "devices-end"

SETTINGS = {
    "allocation_mode": ("auto", "auto (device plugin if any node has nvidia.com/gpu, else DRA), device-plugin or dra"),
    "dra_driver": ("gpu.nvidia.com", "DRA driver whose ResourceSlice devices count as GPUs in dra mode"),
    "device_class": ("gpu.nvidia.com", "DeviceClass the test pods' claims ask for in dra mode"),
    "max_gpus": (16, "at most this many GPUs are filled with test pods (nodes are taken whole, by name)"),
    "node_label_selector": ("", "label selector restricting which GPU nodes the active test uses"),
    "runtime_class": ("auto", "RuntimeClass of the test pods; auto uses 'nvidia' when it exists, '' uses none"),
    "probe_image": ("docker.io/library/busybox:1.36", "image of the pod that lists /dev/nvidia* (needs sh, ls)"),
    "gpu_image": ("registry.k8s.io/pause:3.10", "image of the pods that hold one GPU each"),
    "pod_timeout": (120, "seconds the test pods may take to be scheduled and run"),
}


# --- configuration -----------------------------------------------------------------------------

def toolkit_value(config, key):
    """(value, where) of a toolkit setting: top level (toolkit >= 1.x installer) or [nvidia-container-runtime]."""
    if key in config:
        return config[key], "top level"
    section = config.get("nvidia-container-runtime") or {}
    if key in section:
        return section[key], "[nvidia-container-runtime]"
    return None, None


def evaluate_toolkit(host, text, cdi_only):
    """(ok, problems, evidence) for one host's config.toml text."""
    import tomllib

    try:
        config = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return False, ["%s: config.toml does not parse: %s" % (host, exc)], {}
    envvar, envvar_at = toolkit_value(config, ENVVAR_KEY)
    mounts, mounts_at = toolkit_value(config, MOUNTS_KEY)
    evidence = {ENVVAR_KEY: envvar, ENVVAR_KEY + "@": envvar_at, MOUNTS_KEY: mounts, MOUNTS_KEY + "@": mounts_at}
    problems = []
    if envvar is not False:
        problems.append("%s: %s is %s (must be false; the toolkit default is true)"
                        % (host, ENVVAR_KEY, "unset" if envvar is None else envvar))
    if mounts is not True and not cdi_only:
        problems.append("%s: %s is %s (must be true for the volume-mounts strategy)"
                        % (host, MOUNTS_KEY, "unset" if mounts is None else mounts))
    return not problems, problems, evidence


def toolkit_step(hosts, cdi_only):
    configs = {h: v.get("toolkit_config") for h, v in sorted(hosts.items()) if v.get("toolkit_config")}
    if not hosts:
        return Step("toolkit_config", SKIP, "no host in inventory group gpu_nodes: toolkit config.toml not read")
    if not configs:
        return Step("toolkit_config", SKIP, "no toolkit config.toml was read from the gpu_nodes hosts (%s)"
                    % ", ".join(sorted(hosts)), {"hosts": sorted(hosts)})
    evidence, problems = {}, []
    for host, text in configs.items():
        host_problems, evidence[host] = evaluate_toolkit(host, text, cdi_only)[1:]
        problems.extend(host_problems)
    if problems:
        return Step("toolkit_config", FAIL, "; ".join(problems), evidence)
    return Step("toolkit_config", PASS, "toolkit on %d host(s) refuses NVIDIA_VISIBLE_DEVICES from unprivileged "
                "containers%s" % (len(configs), "" if cdi_only else " and accepts device lists as volume mounts"),
                evidence)


def device_plugin_container(daemonset):
    """The NVIDIA device-plugin container of a DaemonSet: named nvidia-device-plugin* (GPU Operator, Helm
    chart, upstream manifest), or running the k8s-device-plugin image in a *device-plugin* DaemonSet.
    GPU Feature Discovery shares that image and the MPS control daemon that name; neither is the plugin."""
    name = daemonset.metadata.name
    if "mps" in name:
        return None
    for container in daemonset.spec.template.spec.containers or []:
        if container.name.startswith("nvidia-device-plugin") or (
                "device-plugin" in name and "k8s-device-plugin" in (container.image or "")):
            return container
    return None


def list_strategy(container):
    """(strategies set, source) of the device plugin container; the plugin default is envvar."""
    for arg in container.args or []:
        if arg.startswith("--device-list-strategy="):
            return set(arg.split("=", 1)[1].split(",")), "args"
    for env in container.env or []:
        if env.name == "DEVICE_LIST_STRATEGY":
            if env.value is None:
                return None, "env from %s (not readable here)" % ("configMap/secret" if env.value_from else "?")
            return set(v.strip() for v in env.value.split(",") if v.strip()), "env"
    return {"envvar"}, "default"


def device_plugin_step(api):
    """(step, cdi_only) for every NVIDIA device-plugin DaemonSet in the cluster."""
    from kubernetes import client

    found = []
    for ds in kube.list_all(client.AppsV1Api(api).list_daemon_set_for_all_namespaces):
        container = device_plugin_container(ds)
        if container is not None:
            strategies, source = list_strategy(container)
            found.append(("%s/%s" % (ds.metadata.namespace, ds.metadata.name), strategies, source))
    policy = cluster_policy_cdi(api)
    evidence = {"daemonsets": {n: {"strategies": sorted(s) if s else None, "source": src} for n, s, src in found},
                "clusterpolicy_cdi_enabled": policy}
    if not found:
        return Step("device_plugin_strategy", SKIP, "no NVIDIA device-plugin DaemonSet found (DRA-only or no "
                    "device plugin): list strategy not checked", evidence), False
    bad = ["%s: DEVICE_LIST_STRATEGY %s (%s)" % (n, ",".join(sorted(s)) if s else "unreadable", src)
           for n, s, src in found if not s or not s <= SAFE_STRATEGIES]
    if bad:
        return Step("device_plugin_strategy", FAIL, "device plugin passes devices in a way unprivileged pods can "
                    "forge: " + "; ".join(bad), evidence), False
    cdi_only = all("volume-mounts" not in strategies for name, strategies, source in found)
    return Step("device_plugin_strategy", PASS, "device plugin list strategy: " + "; ".join(
        "%s %s (%s)" % (name, ",".join(sorted(strategies)), source) for name, strategies, source in found),
        evidence), cdi_only


def cluster_policy_cdi(api):
    """spec.cdi.enabled of the GPU Operator ClusterPolicy objects (None when the API is not served)."""
    if "clusterpolicies" not in kube.served_resources(api, "nvidia.com/v1"):
        return None
    return {p["metadata"]["name"]: ((p.get("spec") or {}).get("cdi") or {}).get("enabled")
            for p in kube.list_objects(api, "nvidia.com", "v1", "clusterpolicies")}


# --- active ------------------------------------------------------------------------------------

def pick_nodes(counts, max_gpus):
    """Names of whole GPU nodes ({name: GPUs}), by name, while their GPUs fit max_gpus (at least one node)."""
    chosen, total = [], 0
    for name in sorted(counts):
        if counts[name] and (not chosen or total + counts[name] <= max_gpus):
            chosen.append(name)
            total += counts[name]
    return chosen


def dra_gpus(slices, driver):
    """{node: [(pool, device)]} of GPU devices a DRA driver publishes (MIG/VFIO entries excluded)."""
    found = {}
    for rs in slices:
        spec = rs.get("spec") or {}
        if spec.get("driver") != driver or not spec.get("nodeName"):
            continue
        for device in spec.get("devices") or []:
            kind = ((device.get("attributes") or {}).get("type") or {}).get("string", "gpu")
            if kind == "gpu":
                found.setdefault(spec["nodeName"], []).append(((spec.get("pool") or {}).get("name"), device["name"]))
    return found


def dra_in_use(claims, driver, devices):
    """How many of `devices` ((pool, device) pairs) existing ResourceClaims hold."""
    wanted, used = set(devices), 0
    for claim in claims:
        for r in ((((claim.get("status") or {}).get("allocation") or {}).get("devices") or {}).get("results") or []):
            if r.get("driver") == driver and (r.get("pool"), r.get("device")) in wanted:
                used += 1
    return used


class Mode:
    """How test pods ask for a GPU, and the scheduler's verdict when none is left."""

    def __init__(self, name, verdict, counts, in_use):
        self.name, self.verdict, self.counts, self.in_use = name, verdict, counts, in_use


def device_plugin_mode(core, nodes, max_gpus):
    counts = {n.metadata.name: kube.gpu_count(n) for n in nodes if kube.gpu_count(n) > 0}
    chosen = pick_nodes(counts, max_gpus)
    return Mode("device-plugin", "Insufficient " + kube.GPU_RESOURCE, {n: counts[n] for n in chosen},
                {n: kube.gpus_requested_on(core, n) for n in chosen})


def dra_mode(api, nodes, max_gpus, driver):
    names = {n.metadata.name for n in nodes}
    slices = kube.list_objects(api, "resource.k8s.io", "v1", "resourceslices")
    devices = {node: devs for node, devs in dra_gpus(slices, driver).items() if node in names}
    chosen = pick_nodes({n: len(d) for n, d in devices.items()}, max_gpus)
    claims = kube.list_objects(api, "resource.k8s.io", "v1", "resourceclaims")
    return Mode("dra", "cannot allocate all claims", {n: len(devices[n]) for n in chosen},
                {n: dra_in_use(claims, driver, devices[n]) for n in chosen})


def resolve_runtime_class(api, wanted):
    from kubernetes import client
    from kubernetes.client.rest import ApiException

    if wanted != "auto":
        return wanted or None
    try:
        client.NodeV1Api(api).read_runtime_class("nvidia")
        return "nvidia"
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise


def scheduling_message(pod):
    return ((kube.pod_state(pod)["scheduled"] or {}).get("message")) or ""


def pick_mode(ctx, nodes):
    """The allocation mode to test (device plugin first, as upstream's auto), or None."""
    from kubernetes import client

    wanted = kube.option(ctx, SETTINGS, "allocation_mode")
    max_gpus = int(kube.option(ctx, SETTINGS, "max_gpus"))
    if wanted in ("auto", "device-plugin"):
        mode = device_plugin_mode(client.CoreV1Api(ctx.api), nodes, max_gpus)
        if mode.counts or wanted == "device-plugin":
            return mode
    if "resourceslices" not in kube.served_resources(ctx.api, "resource.k8s.io/v1"):
        return None
    return dra_mode(ctx.api, nodes, max_gpus, kube.option(ctx, SETTINGS, "dra_driver"))


def gpu_pod(ctx, name, mode, runtime_class, node_names):
    pod = kube.pause_pod(name, ctx.labels, gpus=1 if mode.name == "device-plugin" else 0,
                         tolerations=kube.DEFAULT_TOLERATIONS, runtime_class=runtime_class,
                         image=kube.option(ctx, SETTINGS, "gpu_image"))
    if mode.name == "dra":
        pod["spec"]["resourceClaims"] = [{"name": "gpu", "resourceClaimTemplateName": "one-gpu"}]
        pod["spec"]["containers"][0]["resources"] = {"claims": [{"name": "gpu"}]}
    return kube.pin_to_nodes(pod, node_names)


def active_steps(ctx):
    from kubernetes import client

    api, core = ctx.api, client.CoreV1Api(ctx.api)
    selector = kube.option(ctx, SETTINGS, "node_label_selector")
    nodes = kube.list_all(core.list_node, **({"label_selector": selector} if selector else {}))
    mode = pick_mode(ctx, nodes)
    where = " (selector %s)" % selector if selector else ""
    if mode is None or not mode.counts:
        return [Step("gpu_pods_exclusive", SKIP, "no node advertises allocatable nvidia.com/gpu or DRA GPU devices "
                     "of %s%s: isolation not tested" % (kube.option(ctx, SETTINGS, "dra_driver"), where))]
    names = sorted(mode.counts)
    free = sum(mode.counts.values()) - sum(mode.in_use.values())
    simulated = {n.metadata.name: kube.is_simulated(n) for n in nodes if n.metadata.name in mode.counts}
    evidence = {"allocation_mode": mode.name,
                "nodes": {n: {"gpus": mode.counts[n], "in_use": mode.in_use[n], "simulated": simulated[n]}
                          for n in names}}
    if free <= 0:
        return [Step("gpu_pods_exclusive", SKIP, "every GPU on %s is already in use: isolation not tested"
                     % ", ".join(names), evidence)]

    runtime_class = resolve_runtime_class(api, kube.option(ctx, SETTINGS, "runtime_class"))
    namespace = ctx.scratch_namespace()
    if mode.name == "dra":
        kube.create_object(api, "resource.k8s.io", "v1", "resourceclaimtemplates", {
            "apiVersion": "resource.k8s.io/v1", "kind": "ResourceClaimTemplate",
            "metadata": {"name": "one-gpu", "labels": ctx.labels},
            "spec": {"spec": {"devices": {"requests": [{"name": "gpu", "exactly": {
                "deviceClassName": kube.option(ctx, SETTINGS, "device_class")}}]}}}}, namespace)
    gpu_pods = ["gpu-%d" % i for i in range(free + 1)]  # one more than there are free GPUs
    for name in gpu_pods:
        core.create_namespaced_pod(namespace, gpu_pod(ctx, name, mode, runtime_class, names))
    probe = kube.pause_pod("no-gpu", ctx.labels, tolerations=kube.DEFAULT_TOLERATIONS, runtime_class=runtime_class,
                           image=kube.option(ctx, SETTINGS, "probe_image"), command=[
                               "sh", "-c", "echo %s; ls /dev/nvidia* 2>/dev/null; echo %s" % (SCAN_BEGIN, SCAN_END)])
    # Ask for every GPU the way an attacker would: the env var a CUDA image sets, without a resource request.
    probe["spec"]["containers"][0]["env"] = [{"name": "NVIDIA_VISIBLE_DEVICES", "value": "all"}]
    core.create_namespaced_pod(namespace, kube.pin_to_nodes(probe, names[:1]))

    def decided(pods):
        return len(pods) == len(gpu_pods) + 1 and all(
            kube.running(p) or mode.verdict in scheduling_message(p) or p.status.phase == "Failed"
            for p in pods.values())

    timeout = kube.wait_seconds(ctx, SETTINGS, "pod_timeout")
    pods = kube.wait_pods(core, namespace, set(gpu_pods + ["no-gpu"]), decided, timeout)
    evidence["runtime_class"] = runtime_class
    evidence["pods"] = {n: kube.pod_state(p) for n, p in sorted(pods.items())}
    steps = [exclusive_step(pods, gpu_pods, free, mode, timeout, evidence)]
    steps.extend(probe_steps(core, namespace, pods.get("no-gpu"), timeout))
    return steps


def exclusive_step(pods, gpu_pods, free, mode, timeout, evidence):
    ran = sorted(n for n in gpu_pods if kube.running(pods.get(n)))
    pending = sorted(n for n in gpu_pods if n not in ran)
    refused = [n for n in pending if mode.verdict in scheduling_message(pods[n])]
    asked = "nvidia.com/gpu: 1" if mode.name == "device-plugin" else "a ResourceClaim for one GPU (DRA)"
    if len(ran) == free and len(pending) == 1 and refused:
        return Step("gpu_pods_exclusive", PASS, "%d pod(s) requesting %s run on the %d free GPU(s); one more stays "
                    "Pending: %s" % (free, asked, free, scheduling_message(pods[pending[0]])), evidence)
    not_running = ["%s (%s: %s)" % (n, pods[n].status.phase, scheduling_message(pods[n])) if n in pods
                   else "%s (missing)" % n for n in pending]
    return Step("gpu_pods_exclusive", FAIL, "expected %d of %d pods requesting %s running and 1 Pending with '%s' "
                "within %gs; saw running: %s; not running: %s"
                % (free, len(gpu_pods), asked, mode.verdict, timeout, ", ".join(ran) or "none",
                   "; ".join(not_running) or "none"), evidence)


def probe_steps(core, namespace, probe, timeout):
    if probe is None or not kube.running(probe):
        state = kube.pod_state(probe) if probe else None
        return [Step("no_request_pod_runs", FAIL, "the pod without a GPU request did not run: %s" % state,
                     {"pod": state})]
    node = core.read_node(probe.spec.node_name)
    steps = [Step("no_request_pod_runs", PASS, "a pod without a GPU request runs on GPU node %s"
                  % probe.spec.node_name, {"pod": kube.pod_state(probe)})]
    if kube.is_simulated(node):
        steps.append(Step("no_request_pod_sees_no_gpu", SKIP, "nodes are simulated: container logs not observable",
                          {"node": node.metadata.name}))
        return steps
    finished = kube.wait_until(lambda: core.read_namespaced_pod(probe.metadata.name, namespace).status.phase
                               in ("Succeeded", "Failed") or None, timeout)
    log = core.read_namespaced_pod_log(probe.metadata.name, namespace)
    lines = log.splitlines()
    if not finished or SCAN_BEGIN not in lines or SCAN_END not in lines:
        steps.append(Step("no_request_pod_sees_no_gpu", ERROR, "the device scan did not complete; log: %r"
                          % log[-500:], {"log": log[-2000:]}))
        return steps
    devices = lines[lines.index(SCAN_BEGIN) + 1:lines.index(SCAN_END)]
    evidence = {"node": node.metadata.name, "devices_seen": devices}
    if devices:
        steps.append(Step("no_request_pod_sees_no_gpu", FAIL, "a pod without a GPU request (NVIDIA_VISIBLE_DEVICES="
                          "all) sees %s" % ", ".join(devices), evidence))
    else:
        steps.append(Step("no_request_pod_sees_no_gpu", PASS, "a pod without a GPU request (NVIDIA_VISIBLE_DEVICES="
                          "all) sees no /dev/nvidia* device", evidence))
    return steps


def run(ctx):
    plugin_step, cdi_only = device_plugin_step(ctx.api)
    steps = [toolkit_step(ctx.hosts, cdi_only), plugin_step]
    if ctx.active:
        steps.extend(active_steps(ctx))
    else:
        steps.append(Step("gpu_pods_exclusive", SKIP, "passive run: isolation pods not created"))
    return steps
