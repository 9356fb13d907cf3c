# -*- coding: utf-8 -*-
"""What each component role renders, per chart family and setting, through the roles' own vars and filters.

Every assertion names the exact chart key the setting lives under, so a misspelt key fails here.
"""

from __future__ import annotations

import base64

import pytest
import yaml

pytestmark = pytest.mark.unit

SOCKET = {"name": "CONTAINERD_SOCKET", "value": "/run/k3s/containerd/containerd.sock"}
NO_ENVVAR = {"name": "ACCEPT_NVIDIA_VISIBLE_DEVICES_ENVVAR_WHEN_UNPRIVILEGED", "value": "false"}
AS_MOUNTS = {"name": "ACCEPT_NVIDIA_VISIBLE_DEVICES_AS_VOLUME_MOUNTS", "value": "true"}
AZURE = dict(azure_ccm_tenant_id="tenant-1", azure_ccm_subscription_id="sub-1", azure_ccm_resource_group="rg-1",
             azure_ccm_location="westeurope", azure_ccm_client_id="client-1", azure_ccm_client_secret="s3cr3t-ccm")
CA = dict(cluster_autoscaler_tenant_id="tenant-1", cluster_autoscaler_subscription_id="sub-1",
          cluster_autoscaler_resource_group="rg-1", cluster_autoscaler_client_id="client-1",
          cluster_autoscaler_client_secret="s3cr3t-ca",
          cluster_autoscaler_node_groups=[{"name": "gpu-vmss", "min_size": 0, "max_size": 4, "gpus": 1},
                                          {"name": "cpu-vmss", "min_size": 1, "max_size": 3}])


def values_of(helmchart):
    assert helmchart["apiVersion"] == "helm.cattle.io/v1" and helmchart["kind"] == "HelmChart"
    return yaml.safe_load(helmchart["spec"]["valuesContent"])


def gpu_values(render, **overrides):
    return values_of(render("gpu_operator", "__gpu_operator_helmchart", **overrides))


# ---------------------------------------------------------------------------------------------- GPU Operator
def test_gpu_operator_helmchart_shape(render):
    chart = render("gpu_operator", "__gpu_operator_helmchart")
    spec = chart["spec"]
    assert chart["metadata"] == {"name": "gpu-operator", "namespace": "kube-system"}
    assert spec["chart"] == "gpu-operator" and spec["repo"] == "https://helm.ngc.nvidia.com/nvidia"
    assert spec["version"] == "v26.3.3"
    assert spec["targetNamespace"] == "gpu-operator" and spec["createNamespace"] is True


def test_gpu_operator_v25_3_secure_access_recipe(render):
    values = gpu_values(render, gpu_operator_chart_version="v25.3.4")
    assert values["toolkit"]["env"] == [SOCKET, NO_ENVVAR, AS_MOUNTS]
    assert values["devicePlugin"]["env"] == [{"name": "DEVICE_LIST_STRATEGY", "value": "volume-mounts"}]
    assert values["cdi"] == {"enabled": False}
    assert render("gpu_operator", "gpu_operator_chart_version | ai_conformance.rke2.gpu_operator_workload_runtime_class",
                  gpu_operator_chart_version="v25.3.4") == "nvidia"


@pytest.mark.parametrize("version", ["v25.10.1", "v26.3.3", "v26.7.0", "26.3.2"])
def test_gpu_operator_cdi_families(render, version):
    values = gpu_values(render, gpu_operator_chart_version=version)
    assert values["cdi"] == {"enabled": True}
    assert values["toolkit"]["env"] == [SOCKET, NO_ENVVAR]
    assert "devicePlugin" not in values  # CDI strategies set by the operator, no volume-mounts override
    assert render("gpu_operator", "gpu_operator_chart_version | ai_conformance.rke2.gpu_operator_workload_runtime_class",
                  gpu_operator_chart_version=version) == ""


@pytest.mark.parametrize("version", ["v26.3.3", "v26.7.0"])
def test_gpu_operator_nri(render, version):
    values = gpu_values(render, gpu_operator_chart_version=version, gpu_operator_nri=True)
    assert values["cdi"] == {"enabled": True, "nriPluginEnabled": True}
    assert values["toolkit"]["env"] == []


def test_gpu_operator_nri_needs_26_3(render):
    with pytest.raises(Exception, match="gpu_operator_nri needs chart v26.3"):
        gpu_values(render, gpu_operator_chart_version="v25.10.1", gpu_operator_nri=True)


@pytest.mark.parametrize("version", ["v24.9.2", "v25.4.0", "v27.1.0", "latest", "v26.3", ""])
def test_gpu_operator_unsupported_versions(render, version):
    # validate.yml asserts the family first, so this is the one error a user sees
    with pytest.raises(Exception, match="outside the supported chart families"):
        render("gpu_operator", "__gpu_operator_family", gpu_operator_chart_version=version)


@pytest.mark.parametrize("version", ["v25.3.4", "v25.10.1", "v26.3.3", "v26.7.0"])
def test_gpu_operator_env_values_are_strings_and_never_the_template(render, version):
    chart = render("gpu_operator", "__gpu_operator_helmchart", gpu_operator_chart_version=version)
    values = values_of(chart)
    for section in ("toolkit", "devicePlugin"):
        for item in values.get(section, {}).get("env", []):
            assert isinstance(item["value"], str), item
    text = chart["spec"]["valuesContent"]
    assert "config.toml.tmpl" not in text and "CONTAINERD_CONFIG" not in text and "RUNTIME_CONFIG" not in text


def test_gpu_operator_dcgm_exporter_servicemonitor(render):
    values = gpu_values(render, gpu_operator_dcgm_servicemonitor_labels={"release": "prometheus-stack"})
    assert values["dcgmExporter"] == {"enabled": True, "serviceMonitor": {
        "enabled": True, "honorLabels": True, "interval": "15s", "additionalLabels": {"release": "prometheus-stack"}}}


def test_gpu_operator_driver_options(render):
    assert gpu_values(render, gpu_operator_driver_enabled=False)["driver"] == {"enabled": False}
    driver = gpu_values(render, gpu_operator_driver_repository="registry.suse.com/third-party/nvidia",
                        gpu_operator_driver_version="595", gpu_operator_driver_use_precompiled=True)["driver"]
    assert driver == {"enabled": True, "repository": "registry.suse.com/third-party/nvidia", "version": "595",
                      "usePrecompiled": True}


def test_gpu_operator_time_slicing(render):
    objects = render("gpu_operator", "__gpu_operator_manifest_objects", gpu_operator_time_slicing_replicas=4)
    assert [o["kind"] for o in objects] == ["Namespace", "ConfigMap", "HelmChart"]
    config = yaml.safe_load(objects[1]["data"]["any"])
    assert config["sharing"]["timeSlicing"]["resources"] == [{"name": "nvidia.com/gpu", "replicas": 4}]
    assert objects[1]["metadata"] == {"name": "time-slicing-config", "namespace": "gpu-operator"}
    assert values_of(objects[2])["devicePlugin"]["config"] == {"name": "time-slicing-config", "default": "any"}
    off = render("gpu_operator", "__gpu_operator_manifest_objects")
    assert [o["kind"] for o in off] == ["HelmChart"] and "devicePlugin" not in values_of(off[0])


def test_gpu_operator_time_slicing_one_replica_is_an_error(render):
    with pytest.raises(Exception, match="2 or more"):
        render("gpu_operator", "__gpu_operator_manifest_objects", gpu_operator_time_slicing_replicas=1)


def test_gpu_operator_airgap_chart_content_and_registry(render):
    content = base64.b64encode(b"tgz").decode()
    chart = render("gpu_operator", "__gpu_operator_helmchart", __gpu_operator_chart_slurp={"content": content},
                   gpu_operator_image_registry="registry.local:5000")
    assert chart["spec"]["chartContent"] == content
    assert "repo" not in chart["spec"] and "version" not in chart["spec"]
    values = values_of(chart)
    assert values["toolkit"]["repository"] == "registry.local:5000/nvidia/k8s"
    assert values["operator"]["repository"] == "registry.local:5000/nvidia"
    assert values["node-feature-discovery"]["image"]["repository"] == \
        "registry.local:5000/nfd/node-feature-discovery"


def test_gpu_operator_dra_driver(render):
    objects = render("gpu_operator", "__gpu_operator_manifest_objects", gpu_operator_dra_driver=True)
    dra = objects[-1]
    assert dra["metadata"]["name"] == "dra-driver-nvidia-gpu"
    assert dra["spec"]["chart"] == "oci://registry.k8s.io/dra-driver-nvidia/charts/dra-driver-nvidia-gpu"
    assert dra["spec"]["version"] == "0.4.0"
    assert values_of(dra) == {"gpuResourcesEnabledOverride": True, "nvidiaDriverRoot": "/run/nvidia/driver"}


def test_gpu_operator_extra_values_merge(render):
    values = gpu_values(render, gpu_operator_extra_values={"dcgmExporter": {"serviceMonitor": {"interval": "30s"}}})
    assert values["dcgmExporter"]["serviceMonitor"]["interval"] == "30s"
    assert values["dcgmExporter"]["serviceMonitor"]["honorLabels"] is True


# ----------------------------------------------------------------------------------------------- Gateway API
def test_gateway_api_traefik_config(render):
    (config,) = render("gateway_api", "__gateway_api_manifest_objects")
    assert config["apiVersion"] == "helm.cattle.io/v1" and config["kind"] == "HelmChartConfig"
    assert config["metadata"] == {"name": "rke2-traefik", "namespace": "kube-system"}
    assert yaml.safe_load(config["spec"]["valuesContent"]) == {"providers": {"kubernetesGateway": {"enabled": True}}}
    (config,) = render("gateway_api", "__gateway_api_manifest_objects", gateway_api_experimental_channel=True)
    assert yaml.safe_load(config["spec"]["valuesContent"])["providers"]["kubernetesGateway"] == {
        "enabled": True, "experimentalChannel": True}


def test_gateway_api_gatewayclass(render):
    (gc,) = render("gateway_api", "__gateway_api_cluster_objects")
    assert gc == {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
                  "metadata": {"name": "traefik"}, "spec": {"controllerName": "traefik.io/gateway-controller"}}


# ------------------------------------------------------------------------------------------------- Azure CCM
def test_azure_cloud_config_service_principal(render):
    config = render("azure_ccm", "__azure_ccm_cloud_config", **AZURE, azure_ccm_vnet_name="vnet-1",
                    azure_ccm_subnet_name="snet-1", azure_ccm_security_group_name="nsg-1")
    assert config == {
        "cloud": "AzurePublicCloud", "tenantId": "tenant-1", "subscriptionId": "sub-1", "resourceGroup": "rg-1",
        "location": "westeurope", "vmType": "vmss", "useManagedIdentityExtension": False,
        "useInstanceMetadata": True, "loadBalancerSku": "standard", "aadClientId": "client-1",
        "aadClientSecret": "s3cr3t-ccm", "subnetName": "snet-1", "securityGroupName": "nsg-1",
        "vnetName": "vnet-1"}


def test_azure_cloud_config_managed_identity_needs_no_secret(render):
    overrides = dict(AZURE, azure_ccm_client_id="", azure_ccm_client_secret="",
                     azure_ccm_use_managed_identity_extension=True, azure_ccm_user_assigned_identity_id="uami")
    config = render("azure_ccm", "__azure_ccm_cloud_config", **overrides)
    assert config["useManagedIdentityExtension"] is True and config["userAssignedIdentityID"] == "uami"
    assert "aadClientSecret" not in config


@pytest.mark.parametrize("missing", ["azure_ccm_client_secret", "azure_ccm_tenant_id", "azure_ccm_location"])
def test_azure_cloud_config_missing_settings(render, missing):
    overrides = dict(AZURE, **{missing: ""})
    with pytest.raises(Exception, match="missing required setting"):
        render("azure_ccm", "__azure_ccm_cloud_config", **overrides)


def test_azure_ccm_helmchart(render):
    (chart,) = render("azure_ccm", "__azure_ccm_manifest_objects", **AZURE)
    assert chart["spec"]["bootstrap"] is True and chart["spec"]["chart"] == "cloud-provider-azure"
    assert chart["spec"]["targetNamespace"] == "kube-system" and chart["spec"]["version"] == "1.36.0"
    values = values_of(chart)
    ccm = values["cloudControllerManager"]
    assert ccm["configureCloudRoutes"] == "false" and ccm["allocateNodeCidrs"] == "false"
    assert ccm["imageRepository"] == "mcr.microsoft.com/oss/kubernetes"
    assert ccm["imageName"] == "azure-cloud-controller-manager"
    assert ccm["cloudConfig"] == "/etc/kubernetes/azure.json"
    assert ccm["nodeSelector"] == {"node-role.kubernetes.io/control-plane": "true"}
    assert values["cloudNodeManager"] == {"imageRepository": "mcr.microsoft.com/oss/kubernetes",
                                          "imageName": "azure-cloud-node-manager"}
    assert "s3cr3t-ccm" not in yaml.safe_dump(chart)


# ---------------------------------------------------------------------------------------- cluster-autoscaler
def test_cluster_autoscaler_values_keep_credentials_out(render):
    chart = render("cluster_autoscaler", "__cluster_autoscaler_helmchart", **CA)
    values = values_of(chart)
    assert values["cloudProvider"] == "azure" and values["azureVMType"] == "vmss"
    assert values["autoscalingGroups"] == [{"name": "gpu-vmss", "minSize": 0, "maxSize": 4},
                                           {"name": "cpu-vmss", "minSize": 1, "maxSize": 3}]
    assert values["secretKeyRefNameOverride"] == "cluster-autoscaler-azure"
    assert values["extraArgs"]["expander"] == "least-waste"
    assert values["extraArgs"]["scale-down-delay-after-add"] == "10m"
    text = yaml.safe_dump(chart)
    assert "s3cr3t-ca" not in text and "azureClientSecret" not in text and "client-1" not in text


def test_cluster_autoscaler_secret(render):
    secret = render("cluster_autoscaler", "__cluster_autoscaler_secret", **CA)
    assert secret["kind"] == "Secret" and secret["metadata"] == {"name": "cluster-autoscaler-azure",
                                                                 "namespace": "kube-system"}
    assert secret["stringData"] == {"SubscriptionID": "sub-1", "ResourceGroup": "rg-1", "TenantID": "tenant-1",
                                    "VMType": "vmss", "ClientID": "client-1", "ClientSecret": "s3cr3t-ca",
                                    "UserAssignedIdentityID": ""}


def test_cluster_autoscaler_extra_args(render):
    values = values_of(render("cluster_autoscaler", "__cluster_autoscaler_helmchart", **dict(
        CA, cluster_autoscaler_extra_args={"expander": "priority", "scale-down-unneeded-time": "5m"})))
    assert values["extraArgs"] == {"logtostderr": True, "stderrthreshold": "info", "v": 4,
                                   "expander": "priority", "scale-down-unneeded-time": "5m"}


def test_cluster_autoscaler_scale_from_zero_tags(render):
    tags = render("cluster_autoscaler", "__cluster_autoscaler_vmss_tags", **CA)
    assert tags["gpu-vmss"] == {
        "k8s.io_cluster-autoscaler_node-template_resources_nvidia.com_gpu": "1",
        "k8s.io_cluster-autoscaler_node-template_label_kubernetes.azure.com_accelerator": "nvidia",
        "k8s.io_cluster-autoscaler_node-template_label_nvidia.com_gpu.present": "true"}
    assert tags["cpu-vmss"] == {}


@pytest.mark.parametrize("groups, message", [
    ([{"name": "gpu", "max_size": 3}], "min_size must be a non-negative integer"),
    ([{"name": "gpu", "min_size": 1}], "max_size must be a non-negative integer"),
    ([{"name": "gpu", "min_size": 4, "max_size": 3}], "min_size 4 > max_size 3"),
    ([{"min_size": 0, "max_size": 3}], "missing name"),
    ([], "at least one VMSS node group"),
])
def test_cluster_autoscaler_bad_node_groups(render, groups, message):
    with pytest.raises(Exception, match=message):
        render("cluster_autoscaler", "__cluster_autoscaler_helmchart", **dict(CA, cluster_autoscaler_node_groups=groups))


def test_cluster_autoscaler_missing_credentials(render):
    with pytest.raises(Exception, match="client_secret"):
        render("cluster_autoscaler", "__cluster_autoscaler_secret", **dict(CA, cluster_autoscaler_client_secret=""))


# --------------------------------------------------------------------------------------------- GPU metrics
def test_gpu_metrics_adapter_rule(render):
    objects = render("gpu_metrics", "__gpu_metrics_manifest_objects")
    assert [o["metadata"]["name"] for o in objects] == ["kube-prometheus-stack", "prometheus-adapter"]
    prom, adapter = (values_of(o) for o in objects)
    assert prom["prometheus"]["prometheusSpec"]["serviceMonitorSelectorNilUsesHelmValues"] is False
    assert adapter["prometheus"] == {"url": "http://kube-prometheus-stack-prometheus.monitoring.svc", "port": 9090}
    assert adapter["rules"]["default"] is False
    assert adapter["rules"]["custom"] == [{
        "seriesQuery": 'DCGM_FI_DEV_GPU_UTIL{namespace!="",pod!=""}',
        "resources": {"overrides": {"namespace": {"resource": "namespace"}, "pod": {"resource": "pod"}}},
        "name": {"matches": "^DCGM_FI_DEV_GPU_UTIL$", "as": "gpu_utilization"},
        "metricsQuery": "avg(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)"}]


def test_gpu_metrics_existing_prometheus(render):
    objects = render("gpu_metrics", "__gpu_metrics_manifest_objects", gpu_metrics_install_prometheus=False,
                     gpu_metrics_prometheus_url="http://prometheus.example.svc")
    assert [o["metadata"]["name"] for o in objects] == ["prometheus-adapter"]
    assert values_of(objects[0])["prometheus"]["url"] == "http://prometheus.example.svc"


def test_gpu_metrics_hpa_object_metric_seed(render):
    objects = render("gpu_metrics", "__gpu_metrics_sample_objects")
    hpa = objects[-1]
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["metadata"] == {"name": "ollama-hpa", "namespace": "gpu-inference"}
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "ollama"}
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (1, 3)
    assert hpa["spec"]["metrics"] == [{"type": "Object", "object": {
        "describedObject": {"apiVersion": "v1", "kind": "Namespace", "name": "gpu-inference"},
        "metric": {"name": "gpu_utilization"}, "target": {"type": "AverageValue", "averageValue": "70"}}}]
    pod = objects[1]["spec"]["template"]["spec"]
    assert pod["containers"][0]["resources"]["limits"] == {"nvidia.com/gpu": 1}
    assert "runtimeClassName" not in pod


def test_gpu_metrics_hpa_pods_metric_and_runtime_class(render):
    objects = render("gpu_metrics", "__gpu_metrics_sample_objects", gpu_metrics_hpa_metric_type="Pods",
                     gpu_metrics_hpa_target=50, gpu_metrics_sample_runtime_class="nvidia")
    assert objects[-1]["spec"]["metrics"] == [{"type": "Pods", "pods": {
        "metric": {"name": "gpu_utilization"}, "target": {"type": "AverageValue", "averageValue": "50"}}}]
    assert objects[1]["spec"]["template"]["spec"]["runtimeClassName"] == "nvidia"
    with pytest.raises(Exception, match="Object or Pods"):
        render("gpu_metrics", "__gpu_metrics_hpa", gpu_metrics_hpa_metric_type="External")


# ------------------------------------------------------------------------------------------ gang scheduling
def test_gang_scheduler_kueue(render):
    chart = render("gang_scheduler", "__gang_scheduler_helmchart")
    assert chart["spec"]["chart"] == "oci://registry.k8s.io/kueue/charts/kueue"
    assert chart["spec"]["version"] == "0.17.0" and chart["spec"]["targetNamespace"] == "kueue-system"
    objects = render("gang_scheduler", "__gang_scheduler_cluster_objects")
    assert [(o["kind"], o["metadata"]["name"]) for o in objects] == [
        ("ResourceFlavor", "gpu"), ("ClusterQueue", "gpu-cluster-queue"), ("Namespace", "default"),
        ("LocalQueue", "gpu-queue")]
    flavor, queue = objects[0], objects[1]
    assert flavor["spec"] == {"nodeLabels": {"nvidia.com/gpu.present": "true"}}
    group = queue["spec"]["resourceGroups"][0]
    assert group["coveredResources"] == ["cpu", "memory", "nvidia.com/gpu"]
    assert {"name": "nvidia.com/gpu", "nominalQuota": 8} in group["flavors"][0]["resources"]
    assert objects[3]["spec"] == {"clusterQueue": "gpu-cluster-queue"}
    assert all(o["apiVersion"] == "kueue.x-k8s.io/v1beta2" for o in objects if o["kind"] != "Namespace")


def test_gang_scheduler_volcano(render):
    chart = render("gang_scheduler", "__gang_scheduler_helmchart", gang_scheduler_engine="volcano")
    assert (chart["spec"]["chart"], chart["spec"]["repo"]) == ("volcano", "https://volcano-sh.github.io/helm-charts")
    assert chart["spec"]["targetNamespace"] == "volcano-system"
    assert render("gang_scheduler", "__gang_scheduler_cluster_objects", gang_scheduler_engine="volcano") == []


def test_gang_scheduler_quota_needs_gpus(render):
    with pytest.raises(Exception, match="nvidia.com/gpu"):
        render("gang_scheduler", "__gang_scheduler_cluster_objects", gang_scheduler_quota={"cpu": 8})


# ---------------------------------------------------------------------------------------------- AI operator
def test_ai_operator_trainer(render):
    chart = render("ai_operator", "__ai_operator_helmchart")
    assert chart["metadata"]["name"] == "kubeflow-trainer"
    assert chart["spec"]["chart"] == "oci://ghcr.io/kubeflow/charts/kubeflow-trainer"
    assert chart["spec"]["version"] == "2.0.0" and chart["spec"]["targetNamespace"] == "kubeflow-system"
    assert values_of(chart) == {"jobset": {"install": True}, "webhook": {"failurePolicy": "Fail"},
                                "image": {"tag": "v2.0.0"}}


def test_ai_operator_kuberay(render):
    chart = render("ai_operator", "__ai_operator_helmchart", ai_operator_kind="kuberay",
                   ai_operator_image_registry="registry.local")
    assert (chart["spec"]["chart"], chart["spec"]["repo"]) == ("kuberay-operator",
                                                               "https://ray-project.github.io/kuberay-helm/")
    assert values_of(chart) == {"image": {"repository": "registry.local/kuberay/operator"}}


# ------------------------------------------------------------------------------------------- manifest file
def test_manifest_file_is_multi_document_with_literal_values(render):
    text = render("gpu_operator", "__gpu_operator_manifest_objects | ai_conformance.rke2.k8s_yaml",
                  gpu_operator_time_slicing_replicas=2)
    docs = list(yaml.safe_load_all(text))
    assert [d["kind"] for d in docs] == ["Namespace", "ConfigMap", "HelmChart"]
    assert "valuesContent: |\n" in text
