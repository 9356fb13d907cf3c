# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Value builders for the component roles (GPU Operator, Azure CCM, cluster-autoscaler, metrics, ...).

The roles keep no chart-value logic in Jinja: each role's vars/main.yml calls these filters, so the
unit tests check exactly what a role renders. Every builder raises AnsibleFilterError with one clear
message on bad input; the roles call them in an assert task before anything changes.
"""

from __future__ import annotations

import re

import yaml

try:
    from ansible.errors import AnsibleFilterError
except ImportError:  # pragma: no cover - Ansible is always present where the roles run
    AnsibleFilterError = ValueError

# RKE2's containerd socket; never RKE2's config.toml.tmpl (NVIDIA/gpu-operator#992, rancher/rke2#3385).
RKE2_CONTAINERD_SOCKET = "/run/k3s/containerd/containerd.sock"
GPU_OPERATOR_FAMILIES = ("25.3", "25.10", "26.3", "26.7")
_VERSION_RE = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)$")


def _fail(msg):
    raise AnsibleFilterError(msg)


def _require(cfg, keys, what):
    missing = [k for k in keys if cfg.get(k) in (None, "")]
    if missing:
        _fail("%s: missing required setting(s): %s" % (what, ", ".join(missing)))


def _env(pairs):
    """Container env list; every value a string (the ClusterPolicy CRD rejects booleans)."""
    return [{"name": name, "value": str(value).lower() if isinstance(value, bool) else str(value)}
            for name, value in pairs]


def _family_order(family):
    return tuple(int(p) for p in family.split("."))


# --------------------------------------------------------------------------------------------------
# Generic manifests
# --------------------------------------------------------------------------------------------------
class _ManifestDumper(yaml.SafeDumper):
    """Multi-line strings (valuesContent) as literal blocks, so --diff shows readable values."""


def _str_presenter(dumper, data):
    if "\n" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_ManifestDumper.add_representer(str, _str_presenter)


def to_values_yaml(values):
    """Helm values as a YAML document string (for spec.valuesContent)."""
    return yaml.dump(_plain(values), Dumper=_ManifestDumper, default_flow_style=False, sort_keys=False)


def k8s_yaml(objects):
    """A list of Kubernetes objects as one multi-document YAML file (RKE2 manifests dir format)."""
    if isinstance(objects, dict):
        objects = [objects]
    return yaml.dump_all([_plain(o) for o in objects], Dumper=_ManifestDumper, default_flow_style=False,
                         sort_keys=False, explicit_start=True)


def _plain(value):
    """Ansible's lazy/tagged containers and strings as plain Python types for the YAML dumper."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value


def helm_chart(cfg):
    """A helm.cattle.io/v1 HelmChart for RKE2's helm-controller.

    cfg: name, namespace (kube-system), chart, repo, version, target_namespace, create_namespace,
    values (dict), bootstrap, chart_content (base64 .tgz: airgap; replaces repo/version).
    """
    _require(cfg, ("name", "chart"), "HelmChart")
    spec = {}
    if cfg.get("chart_content"):
        # chartContent overrides chart; repo and version would make helm try the network.
        spec["chart"] = cfg["chart"]
        spec["chartContent"] = cfg["chart_content"]
    else:
        _require(cfg, ("version",), "HelmChart %s (pin a chart version)" % cfg["name"])
        spec["chart"] = cfg["chart"]
        if cfg.get("repo"):
            spec["repo"] = cfg["repo"]
        spec["version"] = str(cfg["version"])
    if cfg.get("bootstrap"):
        spec["bootstrap"] = True
    spec["targetNamespace"] = cfg.get("target_namespace") or "default"
    if cfg.get("create_namespace"):
        spec["createNamespace"] = True
    if cfg.get("values"):
        spec["valuesContent"] = to_values_yaml(cfg["values"])
    return {
        "apiVersion": "helm.cattle.io/v1",
        "kind": "HelmChart",
        "metadata": {"name": cfg["name"], "namespace": cfg.get("namespace") or "kube-system"},
        "spec": spec,
    }


def helm_chart_config(cfg):
    """A helm.cattle.io/v1 HelmChartConfig (extra values for a chart RKE2 ships, e.g. rke2-traefik)."""
    _require(cfg, ("name", "values"), "HelmChartConfig")
    return {
        "apiVersion": "helm.cattle.io/v1",
        "kind": "HelmChartConfig",
        "metadata": {"name": cfg["name"], "namespace": cfg.get("namespace") or "kube-system"},
        "spec": {"valuesContent": to_values_yaml(cfg["values"])},
    }


def registry_rewrite(image_repository, registry):
    """`nvcr.io/nvidia/k8s` -> `<registry>/nvidia/k8s` (private mirror keeping the upstream path)."""
    if not registry:
        return image_repository
    path = image_repository.split("/", 1)[1] if "/" in image_repository else image_repository
    return "%s/%s" % (registry.rstrip("/"), path)


# --------------------------------------------------------------------------------------------------
# Traefik Gateway API
# --------------------------------------------------------------------------------------------------
def traefik_gateway_values(cfg):
    """rke2-traefik values that turn on Traefik's Kubernetes Gateway provider."""
    provider = {"enabled": True}
    if cfg.get("experimental_channel"):
        provider["experimentalChannel"] = True
    values = {"providers": {"kubernetesGateway": provider}}
    if cfg.get("image_registry"):
        values["image"] = {"registry": cfg["image_registry"]}
    return values


# --------------------------------------------------------------------------------------------------
# NVIDIA GPU Operator
# --------------------------------------------------------------------------------------------------
def gpu_operator_family(version):
    """Chart family ('25.3', '25.10', '26.3', '26.7') of a GPU Operator chart version, or an error."""
    match = _VERSION_RE.match(str(version).strip())
    family = "%s.%s" % (match.group(1), match.group(2)) if match else None
    if family not in GPU_OPERATOR_FAMILIES:
        _fail("gpu_operator_chart_version %r is outside the supported chart families %s (e.g. v26.3.3)"
              % (version, ", ".join("v%s.x" % f for f in GPU_OPERATOR_FAMILIES)))
    return family


def gpu_operator_workload_runtime_class(version):
    """RuntimeClass GPU workloads must name: 'nvidia' for v25.3.x (no CDI), '' from v25.10 on."""
    return "nvidia" if gpu_operator_family(version) == "25.3" else ""


# Upstream image repositories per values key (v25.3-v26.7 values.yaml), for a private registry.
_GPU_OPERATOR_IMAGES = {
    "operator": "nvcr.io/nvidia",
    "validator": "nvcr.io/nvidia/cloud-native",
    "driver": "nvcr.io/nvidia",
    "toolkit": "nvcr.io/nvidia/k8s",
    "devicePlugin": "nvcr.io/nvidia",
    "dcgm": "nvcr.io/nvidia/cloud-native",
    "dcgmExporter": "nvcr.io/nvidia/k8s",
    "gfd": "nvcr.io/nvidia",
    "migManager": "nvcr.io/nvidia/cloud-native",
    "nodeStatusExporter": "nvcr.io/nvidia/cloud-native",
}


def gpu_operator_values(cfg):
    """GPU Operator chart values for RKE2's containerd, chosen by chart family.

    cfg: version, nri (bool, v26.3+), driver_enabled, driver_repository, driver_version,
    driver_use_precompiled, time_slicing_replicas (0 = off), time_slicing_config_name,
    dcgm_servicemonitor, dcgm_servicemonitor_labels, dcgm_servicemonitor_interval, image_registry.
    """
    family = gpu_operator_family(cfg.get("version"))
    newer = _family_order(family) >= (25, 10)
    nri = bool(cfg.get("nri"))
    if nri and _family_order(family) < (26, 3):
        _fail("gpu_operator_nri needs chart v26.3 or newer (containerd 2.1); chart family is v%s" % family)

    values = {}
    toolkit_env = []
    if not nri:
        # Unprivileged pods never get GPUs from NVIDIA_VISIBLE_DEVICES (CUDA images set it to "all"); this
        # also holds in CDI mode for pods that pick the nvidia runtime class (toolkit default is true).
        toolkit_env = [("CONTAINERD_SOCKET", RKE2_CONTAINERD_SOCKET),
                       ("ACCEPT_NVIDIA_VISIBLE_DEVICES_ENVVAR_WHEN_UNPRIVILEGED", "false")]
    if not newer:
        # Seed / RKE2 v25.3.x recipe: the device list travels as volume mounts.
        toolkit_env.append(("ACCEPT_NVIDIA_VISIBLE_DEVICES_AS_VOLUME_MOUNTS", "true"))
    values["toolkit"] = {"enabled": True, "env": _env(toolkit_env)}
    values["cdi"] = {"enabled": newer}
    if nri:
        values["cdi"]["nriPluginEnabled"] = True
    device_plugin = {}
    if not newer:
        device_plugin["env"] = _env([("DEVICE_LIST_STRATEGY", "volume-mounts")])
    replicas = int(cfg.get("time_slicing_replicas") or 0)
    if replicas:
        device_plugin["config"] = {"name": cfg.get("time_slicing_config_name") or "time-slicing-config",
                                   "default": "any"}
    if device_plugin:
        values["devicePlugin"] = device_plugin

    driver = {"enabled": bool(cfg.get("driver_enabled", True))}
    if driver["enabled"]:
        if cfg.get("driver_repository"):
            driver["repository"] = cfg["driver_repository"]
        if cfg.get("driver_version"):
            driver["version"] = str(cfg["driver_version"])
        if cfg.get("driver_use_precompiled"):
            driver["usePrecompiled"] = True
    values["driver"] = driver

    monitor = {"enabled": bool(cfg.get("dcgm_servicemonitor", True))}
    if monitor["enabled"]:
        # honorLabels keeps the exporter's pod/namespace labels (not exported_pod) for the HPA metric.
        monitor["honorLabels"] = True
        monitor["interval"] = cfg.get("dcgm_servicemonitor_interval") or "15s"
        if cfg.get("dcgm_servicemonitor_labels"):
            monitor["additionalLabels"] = dict(cfg["dcgm_servicemonitor_labels"])
    values["dcgmExporter"] = {"enabled": True, "serviceMonitor": monitor}

    registry = cfg.get("image_registry")
    if registry:
        for key, repo in _GPU_OPERATOR_IMAGES.items():
            if key == "driver" and cfg.get("driver_repository"):
                continue
            values.setdefault(key, {})["repository"] = registry_rewrite(repo, registry)
        values["node-feature-discovery"] = {"image": {"repository": registry_rewrite(
            "registry.k8s.io/nfd/node-feature-discovery", registry)}}
    return values


def gpu_operator_time_slicing_config(cfg):
    """ConfigMap data for the device plugin's time-slicing (one cluster-wide config named 'any')."""
    replicas = int(cfg.get("time_slicing_replicas") or 0)
    if replicas < 2:
        _fail("gpu_operator_time_slicing_replicas must be 2 or more to share a GPU (got %s)" % replicas)
    config = {
        "version": "v1",
        "flags": {"migStrategy": "none"},
        "sharing": {"timeSlicing": {
            "renameByDefault": False,
            "failRequestsGreaterThanOne": False,
            "resources": [{"name": "nvidia.com/gpu", "replicas": replicas}],
        }},
    }
    return {"any": yaml.safe_dump(config, default_flow_style=False, sort_keys=False)}


# --------------------------------------------------------------------------------------------------
# Azure cloud controller manager
# --------------------------------------------------------------------------------------------------
def azure_cloud_config(cfg):
    """/etc/kubernetes/azure.json content (cloud-provider-azure), validated."""
    _require(cfg, ("tenant_id", "subscription_id", "resource_group", "location"), "azure_ccm")
    msi = bool(cfg.get("use_managed_identity_extension"))
    if not msi:
        _require(cfg, ("client_id", "client_secret"),
                 "azure_ccm (service principal; or set azure_ccm_use_managed_identity_extension)")
    out = {
        "cloud": cfg.get("cloud") or "AzurePublicCloud",
        "tenantId": cfg["tenant_id"],
        "subscriptionId": cfg["subscription_id"],
        "resourceGroup": cfg["resource_group"],
        "location": cfg["location"],
        "vmType": cfg.get("vm_type") or "vmss",
        "useManagedIdentityExtension": msi,
        "useInstanceMetadata": True,
        "loadBalancerSku": cfg.get("load_balancer_sku") or "standard",
    }
    if msi:
        if cfg.get("user_assigned_identity_id"):
            out["userAssignedIdentityID"] = cfg["user_assigned_identity_id"]
    else:
        out["aadClientId"] = cfg["client_id"]
        out["aadClientSecret"] = cfg["client_secret"]
    for key, field in (("subnet_name", "subnetName"), ("security_group_name", "securityGroupName"),
                       ("security_group_resource_group", "securityGroupResourceGroup"),
                       ("vnet_name", "vnetName"), ("vnet_resource_group", "vnetResourceGroup"),
                       ("route_table_name", "routeTableName"),
                       ("route_table_resource_group", "routeTableResourceGroup"),
                       ("primary_scale_set_name", "primaryScaleSetName")):
        if cfg.get(key):
            out[field] = cfg[key]
    out.update(cfg.get("extra") or {})
    return out


def azure_ccm_values(cfg):
    """cloud-provider-azure chart values with the seed's settings."""
    repo = registry_rewrite("mcr.microsoft.com/oss/kubernetes", cfg.get("image_registry"))
    ccm = {
        "imageRepository": repo,
        "imageName": "azure-cloud-controller-manager",
        "cloudConfig": cfg.get("cloud_config_path") or "/etc/kubernetes/azure.json",
        # Azure CNI / RKE2's CNI own routes and pod CIDRs (seed).
        "configureCloudRoutes": "false",
        "allocateNodeCidrs": "false",
        # RKE2 labels servers node-role.kubernetes.io/control-plane=true, the chart defaults to "".
        "nodeSelector": {"node-role.kubernetes.io/control-plane": "true"},
    }
    if cfg.get("image_tag"):
        ccm["imageTag"] = cfg["image_tag"]
    cnm = {"imageRepository": repo, "imageName": "azure-cloud-node-manager"}
    if cfg.get("image_tag"):
        cnm["imageTag"] = cfg["image_tag"]
    values = {"infra": {"clusterName": cfg.get("cluster_name") or "kubernetes"},
              "cloudControllerManager": ccm, "cloudNodeManager": cnm}
    if str(values["infra"]["clusterName"]).endswith("-internal"):
        _fail("azure_ccm_cluster_name must not end in -internal (cloud-provider-azure assumption)")
    return values


# --------------------------------------------------------------------------------------------------
# cluster-autoscaler (Azure)
# --------------------------------------------------------------------------------------------------
_TAG_PREFIX = "k8s.io_cluster-autoscaler_node-template_"


def _tag_key(kind, name):
    # In node-template tag keys '_' encodes '/', and '~2' a literal '_' (CA azure README).
    return _TAG_PREFIX + kind + "_" + name.replace("_", "~2").replace("/", "_")


def cluster_autoscaler_node_groups(groups):
    """Validated node groups: each a dict with name, min_size, max_size (ints, 0 <= min <= max)."""
    if not groups:
        _fail("cluster_autoscaler_node_groups: at least one VMSS node group is required")
    out = []
    for index, group in enumerate(groups):
        name = group.get("name") if isinstance(group, dict) else None
        if not name:
            _fail("cluster_autoscaler_node_groups[%d]: missing name" % index)
        for key in ("min_size", "max_size"):
            if group.get(key) in (None, "") or not str(group.get(key)).isdigit():
                _fail("cluster_autoscaler_node_groups[%d] (%s): %s must be a non-negative integer"
                      % (index, name, key))
        low, high = int(group["min_size"]), int(group["max_size"])
        if low > high:
            _fail("cluster_autoscaler_node_groups[%d] (%s): min_size %d > max_size %d" % (index, name, low, high))
        out.append(dict(group, min_size=low, max_size=high, gpus=int(group.get("gpus") or 0)))
    return out


def cluster_autoscaler_vmss_tags(group):
    """VMSS tags that let CA scale a (GPU) node group up from zero."""
    tags = {}
    if int(group.get("gpus") or 0):
        tags[_tag_key("resources", "nvidia.com/gpu")] = str(int(group["gpus"]))
        tags[_tag_key("label", "kubernetes.azure.com/accelerator")] = "nvidia"
        tags[_tag_key("label", "nvidia.com/gpu.present")] = "true"
    for key, value in (group.get("labels") or {}).items():
        tags[_tag_key("label", key)] = str(value)
    for key, value in (group.get("taints") or {}).items():
        tags[_tag_key("taint", key)] = str(value)
    return tags


def cluster_autoscaler_values(cfg):
    """cluster-autoscaler chart values: Azure, credentials only through an existing Secret."""
    _require(cfg, ("secret_name",), "cluster_autoscaler")
    groups = cluster_autoscaler_node_groups(cfg.get("node_groups"))
    values = {
        "cloudProvider": "azure",
        "azureVMType": cfg.get("vm_type") or "vmss",
        "autoscalingGroups": [{"name": g["name"], "minSize": g["min_size"], "maxSize": g["max_size"]}
                              for g in groups],
        # The chart then renders no Secret of its own and reads ARM_* from this one.
        "secretKeyRefNameOverride": cfg["secret_name"],
        "extraArgs": dict({"logtostderr": True, "stderrthreshold": "info", "v": 4},
                          **(cfg.get("extra_args") or {})),
    }
    if cfg.get("use_managed_identity_extension"):
        values["azureUseManagedIdentityExtension"] = True
    if cfg.get("image_registry"):
        values["image"] = {"repository": registry_rewrite("registry.k8s.io/autoscaling/cluster-autoscaler",
                                                          cfg["image_registry"])}
    if cfg.get("image_tag"):
        values.setdefault("image", {})["tag"] = cfg["image_tag"]
    return values


def cluster_autoscaler_secret_data(cfg):
    """stringData of the credentials Secret (keys the chart's secretKeyRefs read)."""
    _require(cfg, ("subscription_id", "resource_group", "tenant_id"), "cluster_autoscaler")
    msi = bool(cfg.get("use_managed_identity_extension"))
    if not msi:
        _require(cfg, ("client_id", "client_secret"),
                 "cluster_autoscaler (service principal; or set cluster_autoscaler_use_managed_identity_extension)")
    return {
        "SubscriptionID": cfg["subscription_id"],
        "ResourceGroup": cfg["resource_group"],
        "TenantID": cfg["tenant_id"],
        "VMType": cfg.get("vm_type") or "vmss",
        "ClientID": "" if msi else cfg["client_id"],
        "ClientSecret": "" if msi else cfg["client_secret"],
        "UserAssignedIdentityID": cfg.get("user_assigned_identity_id") or "",
    }


# --------------------------------------------------------------------------------------------------
# GPU metrics -> HPA
# --------------------------------------------------------------------------------------------------
def gpu_metrics_adapter_rule(metric_name="gpu_utilization", series="DCGM_FI_DEV_GPU_UTIL"):
    """prometheus-adapter custom rule exposing DCGM GPU utilisation per pod and namespace."""
    return {
        "seriesQuery": '%s{namespace!="",pod!=""}' % series,
        "resources": {"overrides": {"namespace": {"resource": "namespace"}, "pod": {"resource": "pod"}}},
        "name": {"matches": "^%s$" % series, "as": metric_name},
        "metricsQuery": "avg(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)",
    }


def gpu_metrics_adapter_values(cfg):
    _require(cfg, ("prometheus_url",), "gpu_metrics")
    values = {
        "prometheus": {"url": cfg["prometheus_url"], "port": int(cfg.get("prometheus_port") or 9090)},
        "rules": {"default": False,
                  "custom": [gpu_metrics_adapter_rule(cfg.get("metric_name") or "gpu_utilization")]},
        "metricsRelistInterval": cfg.get("relist_interval") or "1m",
    }
    if cfg.get("image_registry"):
        values["image"] = {"repository": registry_rewrite("registry.k8s.io/prometheus-adapter/prometheus-adapter",
                                                          cfg["image_registry"])}
    return values


def gpu_metrics_prometheus_values(cfg):
    """kube-prometheus-stack values: select every ServiceMonitor (the DCGM one included)."""
    spec = {"serviceMonitorSelectorNilUsesHelmValues": False,
            "podMonitorSelectorNilUsesHelmValues": False,
            "retention": cfg.get("retention") or "24h"}
    values = {"prometheus": {"prometheusSpec": spec},
              "grafana": {"enabled": bool(cfg.get("grafana"))},
              "alertmanager": {"enabled": bool(cfg.get("alertmanager"))}}
    if cfg.get("image_registry"):
        values["global"] = {"imageRegistry": cfg["image_registry"]}
    return values


def gpu_metrics_hpa(cfg):
    """autoscaling/v2 HPA on gpu_utilization: metric type Object (namespace, seed) or Pods."""
    _require(cfg, ("name", "namespace", "target"), "gpu_metrics sample HPA")
    kind = cfg.get("metric_type") or "Object"
    target = {"type": "AverageValue", "averageValue": str(cfg["target"])}
    metric_name = cfg.get("metric_name") or "gpu_utilization"
    if kind == "Object":
        metric = {"type": "Object", "object": {
            "describedObject": {"apiVersion": "v1", "kind": "Namespace", "name": cfg["namespace"]},
            "metric": {"name": metric_name}, "target": target}}
    elif kind == "Pods":
        metric = {"type": "Pods", "pods": {"metric": {"name": metric_name}, "target": target}}
    else:
        _fail("gpu_metrics_hpa_metric_type must be Object or Pods, got %r" % kind)
    low, high = int(cfg.get("min_replicas") or 1), int(cfg.get("max_replicas") or 3)
    if low > high:
        _fail("gpu_metrics_hpa_min_replicas %d > gpu_metrics_hpa_max_replicas %d" % (low, high))
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": cfg["name"] + "-hpa", "namespace": cfg["namespace"]},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": cfg["name"]},
                 "minReplicas": low, "maxReplicas": high, "metrics": [metric]},
    }


# --------------------------------------------------------------------------------------------------
# Gang scheduling (Kueue)
# --------------------------------------------------------------------------------------------------
KUEUE_API = "kueue.x-k8s.io/v1beta2"


def kueue_queue_objects(cfg):
    """ResourceFlavor, ClusterQueue and LocalQueues (plus their namespaces) for GPU jobs."""
    _require(cfg, ("flavor_name", "cluster_queue_name", "quota"), "gang_scheduler")
    quota = dict(cfg["quota"])
    if "nvidia.com/gpu" not in quota:
        _fail("gang_scheduler_quota must include nvidia.com/gpu")
    objects = [
        {"apiVersion": KUEUE_API, "kind": "ResourceFlavor", "metadata": {"name": cfg["flavor_name"]},
         "spec": {"nodeLabels": dict(cfg.get("node_labels") or {})}},
        {"apiVersion": KUEUE_API, "kind": "ClusterQueue", "metadata": {"name": cfg["cluster_queue_name"]},
         "spec": {"namespaceSelector": {},
                  "resourceGroups": [{"coveredResources": list(quota),
                                      "flavors": [{"name": cfg["flavor_name"],
                                                   "resources": [{"name": k, "nominalQuota": v}
                                                                 for k, v in quota.items()]}]}]}},
    ]
    seen = []
    for index, queue in enumerate(cfg.get("local_queues") or []):
        if not queue.get("name") or not queue.get("namespace"):
            _fail("gang_scheduler_local_queues[%d]: name and namespace are required" % index)
        if queue["namespace"] not in seen:
            seen.append(queue["namespace"])
            objects.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": queue["namespace"]}})
        objects.append({"apiVersion": KUEUE_API, "kind": "LocalQueue",
                        "metadata": {"name": queue["name"], "namespace": queue["namespace"]},
                        "spec": {"clusterQueue": cfg["cluster_queue_name"]}})
    return objects


class FilterModule:
    def filters(self):
        return {
            "k8s_yaml": k8s_yaml,
            "to_values_yaml": to_values_yaml,
            "helm_chart": helm_chart,
            "helm_chart_config": helm_chart_config,
            "registry_rewrite": registry_rewrite,
            "traefik_gateway_values": traefik_gateway_values,
            "gpu_operator_family": gpu_operator_family,
            "gpu_operator_workload_runtime_class": gpu_operator_workload_runtime_class,
            "gpu_operator_values": gpu_operator_values,
            "gpu_operator_time_slicing_config": gpu_operator_time_slicing_config,
            "azure_cloud_config": azure_cloud_config,
            "azure_ccm_values": azure_ccm_values,
            "cluster_autoscaler_node_groups": cluster_autoscaler_node_groups,
            "cluster_autoscaler_vmss_tags": cluster_autoscaler_vmss_tags,
            "cluster_autoscaler_values": cluster_autoscaler_values,
            "cluster_autoscaler_secret_data": cluster_autoscaler_secret_data,
            "gpu_metrics_adapter_values": gpu_metrics_adapter_values,
            "gpu_metrics_prometheus_values": gpu_metrics_prometheus_values,
            "gpu_metrics_hpa": gpu_metrics_hpa,
            "kueue_queue_objects": kueue_queue_objects,
        }
