# -*- coding: utf-8 -*-
"""playbooks/site.yml's component plays against a real API server (the simulated cluster).

* Every manifest the roles write into RKE2's manifests directory is server-side applied, with strict field
  validation, on a cluster that serves the real CRDs (helm.cattle.io, monitoring.coreos.com, kueue,
  trainer, ray; tests/sim/crds): a misspelt field is rejected, as test_apply_rejects_unknown_fields shows.
* The cluster-object play (kubernetes.core, server-side apply) creates GatewayClass, Kueue queues and the
  sample HPA, is idempotent, and its waits fail with what they saw when the evidence is missing.
* Bad input fails once, clearly, before anything is written; -vvv output never shows the secrets.
"""

from __future__ import annotations

import re
import stat
import time

import pytest
import yaml
from kubernetes import client, dynamic

from tests.integration.roles.component_site import AZURE_SECRET, AZURE_VARS, RKE2_TOKEN

from tests.sim.cluster import addon_modules

COMPONENTS = ["--skip-tags", "rke2,cluster_objects"]
# The role argument-spec checks are tagged always; skipping rke2 keeps the rke2 role out of these runs.
OBJECTS = ["--tags", "cluster_objects", "--skip-tags", "rke2"]
VARIANTS = {
    "defaults": {},
    "v25.3-azure-timeslicing-dra": dict(AZURE_VARS, gpu_operator_chart_version="v25.3.4",
                                        gpu_operator_time_slicing_replicas=4, gpu_operator_dra_driver=True),
    "v26.7-nri-volcano-kuberay-airgap": dict(gpu_operator_chart_version="v26.7.0", gpu_operator_nri=True,
                                             gang_scheduler_engine="volcano", ai_operator_kind="kuberay",
                                             gpu_metrics_install_prometheus=False,
                                             gpu_operator_image_registry="registry.local:5000"),
}


def recap(output):
    match = re.findall(r"localhost\s*: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", output)
    assert match, output[-3000:]
    return dict(zip(("ok", "changed", "unreachable", "failed"), map(int, match[-1])))


def apply_file(cluster, path):
    return cluster.kubectl("apply", "--server-side", "--field-manager=component-roles-test",
                           "--force-conflicts", "-f", str(path), check=False)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_manifests_accepted_by_api_server(crd_sim, site, tmp_path, variant):
    run = site()
    extra = dict(VARIANTS[variant])
    if variant.endswith("airgap"):
        tarball = tmp_path / "gpu-operator-v26.7.0.tgz"
        tarball.write_bytes(b"\x1f\x8b stand-in chart archive")
        extra["gpu_operator_chart_tarball"] = str(tarball)
    out = run.run(*COMPONENTS, **extra).stdout
    assert recap(out)["failed"] == 0
    files = sorted(run.manifests.glob("*.yaml"))
    kinds = [(name, d["kind"], d["metadata"]["name"]) for name, d in run.documents()]
    assert ("traefik-gateway-api.yaml", "HelmChartConfig", "rke2-traefik") in kinds
    assert ("gpu-operator.yaml", "HelmChart", "gpu-operator") in kinds
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        result = apply_file(crd_sim, path)
        assert "serverside-applied" in result and "error" not in result.lower(), (path.name, result)
    if variant.endswith("airgap"):
        chart = {doc["metadata"]["name"]: doc for _name, doc in run.documents()}["gpu-operator"]
        assert chart["spec"]["chartContent"] and "repo" not in chart["spec"]
    # Idempotence: a second run changes nothing.
    assert recap(run.run(*COMPONENTS, **extra).stdout)["changed"] == 0


def test_apply_rejects_unknown_fields(crd_sim, tmp_path):
    """The same apply path fails on a misspelt HelmChart field: the checks above can fail."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"apiVersion": "helm.cattle.io/v1", "kind": "HelmChart",
                                   "metadata": {"name": "typo", "namespace": "default"},
                                   "spec": {"chart": "x", "valuesContnet": "a: 1"}}))
    result = apply_file(crd_sim, bad)
    assert ".spec.valuesContnet: field not declared in schema" in result, result


def test_cluster_objects_through_the_api(crd_sim, site):
    run = site(str(crd_sim.kubeconfig))
    extra = dict(gateway_api_wait_accepted=False, site_ai_operator=False, gpu_metrics_sample=True,
                 gang_scheduler_local_queues=[{"name": "gpu-queue", "namespace": "team-a"}])
    out = run.run(*OBJECTS, **extra).stdout
    assert recap(out)["failed"] == 0
    dyn = dynamic.DynamicClient(crd_sim.api_client())
    gc = dyn.resources.get(api_version="gateway.networking.k8s.io/v1", kind="GatewayClass").get(name="traefik")
    assert gc.spec.controllerName == "traefik.io/gateway-controller"
    kueue = "kueue.x-k8s.io/v1beta2"
    cq = dyn.resources.get(api_version=kueue, kind="ClusterQueue").get(name="gpu-cluster-queue")
    assert cq.spec.resourceGroups[0].flavors[0].name == "gpu"
    lq = dyn.resources.get(api_version=kueue, kind="LocalQueue").get(name="gpu-queue", namespace="team-a")
    assert lq.spec.clusterQueue == "gpu-cluster-queue"
    hpa = client.AutoscalingV2Api(crd_sim.api_client()).read_namespaced_horizontal_pod_autoscaler(
        "ollama-hpa", "gpu-inference")
    assert hpa.spec.metrics[0].object.metric.name == "gpu_utilization"
    assert hpa.spec.metrics[0].object.target.average_value == "70"
    # Second run: server-side apply of identical objects reports no change.
    assert recap(run.run(*OBJECTS, **extra).stdout)["changed"] == 0


def _set_accepted(cluster, status):
    dyn = dynamic.DynamicClient(cluster.api_client())
    api = dyn.resources.get(api_version="gateway.networking.k8s.io/v1", kind="GatewayClass")
    gc = api.get(name="traefik")
    body = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass", "metadata": {"name": "traefik"},
            "status": {"conditions": [{"type": "Accepted", "status": status, "reason": "Handled",
                                       "message": "stand-in for Traefik's status write",
                                       "lastTransitionTime": "2026-01-01T00:00:00Z",
                                       "observedGeneration": gc.metadata.generation}]}}
    api.status.server_side_apply(body=body, name="traefik", field_manager="traefik-stand-in",
                                 force_conflicts=True)


def test_gatewayclass_wait_fails_then_passes(crd_sim, site):
    run = site(str(crd_sim.kubeconfig))
    only_gateway = ("--tags", "cluster_objects", "--skip-tags", "rke2,gang_scheduler,gpu_metrics,ai_operator")
    # GatewayClass exists (created by the play) but no controller accepted it: fail, naming the status seen.
    proc = run.run(*only_gateway, check=False, gateway_api_wait_timeout=6)
    assert proc.returncode != 0
    assert "GatewayClass traefik was not Accepted within 6 s" in proc.stdout, proc.stdout[-3000:]
    assert "FAILED - RETRYING" in proc.stdout  # the progress line of the wait
    # Stand-in for Traefik: write the Accepted condition Traefik writes; the wait now passes.
    _set_accepted(crd_sim, "True")
    proc = run.run(*only_gateway, gateway_api_wait_timeout=6)
    assert recap(proc.stdout)["failed"] == 0
    _set_accepted(crd_sim, "False")
    assert run.run(*only_gateway, check=False, gateway_api_wait_timeout=6).returncode != 0


def test_provider_id_check(crd_sim, site):
    run = site(str(crd_sim.kubeconfig))
    only_azure = ("--tags", "cluster_objects", "--skip-tags", "rke2,gateway_api,gang_scheduler,gpu_metrics,ai_operator")
    extra = dict(AZURE_VARS, azure_ccm_wait_timeout=4)
    proc = run.run(*only_azure, check=False, **extra)
    assert proc.returncode != 0
    assert "Nodes without an azure:// providerID after 4 s: sim-gpu-0" in proc.stdout, proc.stdout[-3000:]
    core = client.CoreV1Api(crd_sim.api_client())
    provider_id = ("azure:///subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.Compute/"
                   "virtualMachineScaleSets/gpu-vmss/virtualMachines/0")
    for node in core.list_node().items:  # stand-in for cloud-node-manager setting providerID from IMDS
        core.patch_node(node.metadata.name, {"spec": {"providerID": provider_id}})
    proc = run.run(*only_azure, **extra)
    assert "have an Azure providerID" in proc.stdout


def test_trainer_webhook_check(crd_sim, site):
    run = site(str(crd_sim.kubeconfig))
    only_ai = ("--tags", "cluster_objects", "--skip-tags", "rke2,gateway_api,gang_scheduler,gpu_metrics")
    proc = run.run(*only_ai, check=False, ai_operator_wait_timeout=4)
    assert proc.returncode != 0 and "No validating webhook for *.trainer.kubeflow.org" in proc.stdout, \
        proc.stdout[-3000:]
    adm = client.AdmissionregistrationV1Api(crd_sim.api_client())
    # Stand-in for the chart's webhook configuration (same webhook name; no server behind it, Ignore).
    vwc = {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
           "metadata": {"name": "validator.trainer.kubeflow.org"},
           "webhooks": [{"name": "validator.trainjob.trainer.kubeflow.org", "admissionReviewVersions": ["v1"],
                         "sideEffects": "None", "failurePolicy": "Ignore",
                         "clientConfig": {"service": {"name": "kubeflow-trainer-controller-manager",
                                                      "namespace": "kubeflow-system", "port": 443}},
                         "rules": [{"apiGroups": ["trainer.kubeflow.org"], "apiVersions": ["v1alpha1"],
                                    "operations": ["CREATE"], "resources": ["trainjobs"]}]}]}
    adm.create_validating_webhook_configuration(vwc)
    try:
        proc = run.run(*only_ai, ai_operator_wait_timeout=4)
        assert "validator.trainjob.trainer.kubeflow.org" in proc.stdout
    finally:
        adm.delete_validating_webhook_configuration("validator.trainer.kubeflow.org")


@pytest.mark.parametrize("extra, message", [
    ({"gpu_operator_chart_version": "v24.9.2"}, "outside the supported chart families"),
    (dict(AZURE_VARS, azure_ccm_client_secret=""), "missing required setting(s): client_secret"),
    (dict(AZURE_VARS, cluster_autoscaler_node_groups=[{"name": "gpu-vmss", "min_size": 0}]), "max_size"),
    ({"gang_scheduler_engine": "slurm"}, "gang_scheduler_engine"),
])
def test_bad_input_fails_before_anything_changes(site, extra, message):
    run = site()
    proc = run.run(*COMPONENTS, check=False, **extra)
    assert proc.returncode != 0
    assert message in proc.stdout, proc.stdout[-3000:]
    assert "Validate the settings of every enabled component" in proc.stdout.split("fatal:")[0]
    assert not run.manifests.exists() and not run.cloud_config.exists()


def test_secrets_never_in_verbose_output(site):
    run = site()
    proc = run.run(*COMPONENTS, "-vvv", "--diff", **AZURE_VARS)
    assert recap(proc.stdout)["failed"] == 0
    assert AZURE_SECRET not in proc.stdout and RKE2_TOKEN not in proc.stdout
    # ... while the secret did reach its two destinations (so the scan looked at a run that handled it).
    assert AZURE_SECRET in run.cloud_config.read_text()
    assert stat.S_IMODE(run.cloud_config.stat().st_mode) == 0o600
    secret = (run.manifests / "cluster-autoscaler-secret.yaml").read_text()
    assert AZURE_SECRET in secret
    assert AZURE_SECRET not in (run.manifests / "cluster-autoscaler.yaml").read_text()
    # A changed secret in check+diff mode: still hidden.
    proc = run.run(*COMPONENTS, "-vvv", "--diff", "--check", **dict(AZURE_VARS, azure_ccm_client_secret=AZURE_SECRET + "2"))
    assert AZURE_SECRET not in proc.stdout


def test_rke2_token_not_in_verbose_check_run(site):
    """The whole site.yml in check mode at -vvv: the rke2 play checks the token (under no_log) and gets as far
    as the artifact download, which fails here (no internet); the token never shows up."""
    run = site()
    proc = run.run("--check", "--diff", "-vvv", check=False, **AZURE_VARS)
    assert "Test the join token format" in proc.stdout, proc.stdout[-3000:]
    assert RKE2_TOKEN not in proc.stdout and AZURE_SECRET not in proc.stdout


def test_crd_wait_names_missing_crds(own_sim, site):
    """Without Kueue installed, the queue objects are not applied: the wait fails naming the CRDs."""
    bare = own_sim("component-bare", gpu_nodes=1, gpus_per_node=1, dra=False)
    run = site(str(bare.kubeconfig))
    only_kueue = ("--tags", "cluster_objects", "--skip-tags", "rke2,gateway_api,gpu_metrics,ai_operator")
    proc = run.run(*only_kueue, check=False, gang_scheduler_wait_timeout=5)
    assert proc.returncode != 0
    assert ("CRDs not established after 5 s: resourceflavors.kueue.x-k8s.io, clusterqueues.kueue.x-k8s.io, "
            "localqueues.kueue.x-k8s.io") in proc.stdout, proc.stdout[-3000:]


def _addon_cluster(own_sim, addon):
    if addon not in addon_modules():
        pytest.skip("the sim has no %r add-on registered (tests/sim/addons)" % addon)
    return own_sim("component-" + addon, gpu_nodes=1, gpus_per_node=1, dra=False, addons=(addon,))


@pytest.mark.slow
def test_real_traefik_accepts_the_gatewayclass(own_sim, site):
    """With the sim's real Traefik (Gateway provider, built from its Go module), the GatewayClass the role
    creates is Accepted by Traefik itself."""
    cluster = _addon_cluster(own_sim, "traefik")
    classes = dynamic.DynamicClient(cluster.api_client()).resources.get(
        api_version="gateway.networking.k8s.io/v1", kind="GatewayClass")
    classes.delete(name="traefik")  # the add-on made one at start; the role must create it itself
    run = site(str(cluster.kubeconfig))
    only = ("--tags", "cluster_objects", "--skip-tags", "rke2,gang_scheduler,gpu_metrics,ai_operator")
    proc = run.run(*only, gateway_api_wait_timeout=120)
    assert "GatewayClass traefik is Accepted by traefik.io/gateway-controller" in proc.stdout
    accepted = [c for c in classes.get(name="traefik").to_dict()["status"]["conditions"] if c["type"] == "Accepted"]
    assert accepted[0]["status"] == "True" and accepted[0]["message"] == "Handled by Traefik controller"


@pytest.mark.slow
def test_real_kueue_admits_the_queue_objects(own_sim, site):
    """With the sim's real Kueue (controller and admission webhooks, built from its Go module), the queue
    objects pass Kueue's webhooks and the ClusterQueue becomes Active."""
    cluster = _addon_cluster(own_sim, "kueue")
    run = site(str(cluster.kubeconfig))
    only = ("--tags", "cluster_objects", "--skip-tags", "rke2,gateway_api,gpu_metrics,ai_operator")
    run.run(*only, gang_scheduler_wait_timeout=120)
    cq = dynamic.DynamicClient(cluster.api_client()).resources.get(api_version="kueue.x-k8s.io/v1beta2",
                                                                   kind="ClusterQueue")
    deadline = time.monotonic() + 60
    active = []
    while time.monotonic() < deadline:
        status = cq.get(name="gpu-cluster-queue").to_dict().get("status", {})
        active = [c for c in status.get("conditions", []) if c["type"] == "Active"]
        if active and active[0]["status"] == "True":
            break
        time.sleep(1)
    assert active and active[0]["status"] == "True", active
