"""The simulated cluster is a real Kubernetes control plane: API groups served, scheduler and
controller-manager at work, kwok-managed GPU nodes, and a clean shutdown."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from kubernetes import client

from tests.sim import nodes
from tests.sim.cluster import SimCluster, kubectl_path

import subprocess


def kubectl(kubeconfig, *args):
    return subprocess.run([kubectl_path(), "--kubeconfig", kubeconfig, *args], check=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout


def api_resources(kubeconfig, group):
    """{name: (apiversion, namespaced)} from `kubectl api-resources --api-group=group`."""
    out = kubectl(kubeconfig, "api-resources", "--api-group=" + group, "--no-headers", "-o", "wide")
    rows = {}
    for line in out.splitlines():
        cols = line.split()
        # NAME [SHORTNAMES] APIVERSION NAMESPACED KIND VERBS [CATEGORIES]
        idx = next(i for i, c in enumerate(cols) if c.startswith(group + "/"))
        rows[cols[0]] = (cols[idx], cols[idx + 1] == "true")
    return rows


def wait_for(predicate, timeout=60, interval=0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def test_version_reports_the_built_release(sim):
    info = client.VersionApi(sim.api_client()).get_code()
    assert info.git_version == sim.k8s_version
    assert info.minor == sim.k8s_version.split(".")[1]


def test_dra_kinds_served_at_v1(kubeconfig):
    rows = api_resources(kubeconfig, "resource.k8s.io")
    assert rows["deviceclasses"] == ("resource.k8s.io/v1", False)
    assert rows["resourceslices"] == ("resource.k8s.io/v1", False)
    assert rows["resourceclaims"] == ("resource.k8s.io/v1", True)
    assert rows["resourceclaimtemplates"] == ("resource.k8s.io/v1", True)


def test_gateway_api_standard_kinds_served(kubeconfig):
    rows = api_resources(kubeconfig, "gateway.networking.k8s.io")
    for kind in ("gatewayclasses", "gateways", "httproutes", "grpcroutes"):
        assert rows[kind][0] == "gateway.networking.k8s.io/v1", rows
    assert "referencegrants" in rows


def test_gpu_nodes_look_like_gfd_labelled_rke2_nodes(api):
    gpu_nodes = [n for n in client.CoreV1Api(api).list_node().items
                 if (n.metadata.labels or {}).get("nvidia.com/gpu.present") == "true"]
    assert len(gpu_nodes) == 2
    for node in gpu_nodes:
        assert node.status.allocatable["nvidia.com/gpu"] == "1"
        assert node.metadata.labels["nvidia.com/cuda.driver-version.full"] == nodes.DRIVER_VERSION
        assert node.status.node_info.container_runtime_version.startswith("containerd://2.")
        assert node.status.node_info.container_runtime_version.endswith("-k3s1")
        assert node.metadata.annotations["kwok.x-k8s.io/node"] == "fake"  # a stand-in, and says so
        assert any(c.type == "Ready" and c.status == "True" for c in node.status.conditions)


@pytest.fixture
def namespace(api):
    core = client.CoreV1Api(api)
    name = "simtest-%d" % (time.time_ns() % 10**9)
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    wait_for(lambda: _has_default_sa(core, name), 30)
    yield name
    core.delete_namespace(name)


def _has_default_sa(core, ns):
    try:
        core.read_namespaced_service_account("default", ns)
        return True
    except client.ApiException:
        return False


def _pod(name, gpus=0, node_selector=None, claim_template=None):
    container = {"name": "main", "image": "registry.k8s.io/pause:3.10"}
    spec = {"containers": [container], "tolerations": [{"operator": "Exists"}]}
    if gpus:
        container["resources"] = {"limits": {"nvidia.com/gpu": str(gpus)}}
    if node_selector:
        spec["nodeSelector"] = node_selector
    if claim_template:
        spec["resourceClaims"] = [{"name": "gpu", "resourceClaimTemplateName": claim_template}]
        container["resources"] = {"claims": [{"name": "gpu"}]}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


def _phase(core, ns, name):
    return core.read_namespaced_pod(name, ns).status.phase


def test_gpu_requests_are_counted_by_the_scheduler(sim_factory):
    one = sim_factory("one-gpu", gpu_nodes=1, gpus_per_node=1, dra=False, gateway_api=False)
    api = one.api_client()
    core = client.CoreV1Api(api)
    ns = "gpu-count"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=ns)))
    wait_for(lambda: _has_default_sa(core, ns), 30)
    core.create_namespaced_pod(ns, _pod("first", gpus=1))
    assert wait_for(lambda: _phase(core, ns, "first") == "Running"), "the 1-GPU pod should run"
    core.create_namespaced_pod(ns, _pod("second", gpus=1))
    core.create_namespaced_pod(ns, _pod("no-gpu"))
    assert wait_for(lambda: _phase(core, ns, "no-gpu") == "Running"), "a pod without a GPU request should run"

    def insufficient():
        events = core.list_namespaced_event(ns, field_selector="involvedObject.name=second").items
        return [e.message for e in events if e.reason == "FailedScheduling" and "Insufficient nvidia.com/gpu" in e.message]

    assert wait_for(insufficient), "second GPU pod should be unschedulable for lack of GPUs"
    assert _phase(core, ns, "second") == "Pending"


def test_resource_claim_template_gets_a_gpu_allocated(api, namespace):
    custom = client.CustomObjectsApi(api)
    core = client.CoreV1Api(api)
    custom.create_namespaced_custom_object("resource.k8s.io", "v1", namespace, "resourceclaimtemplates", {
        "apiVersion": "resource.k8s.io/v1", "kind": "ResourceClaimTemplate", "metadata": {"name": "one-gpu"},
        "spec": {"spec": {"devices": {"requests": [{"name": "gpu", "exactly": {"deviceClassName": "gpu.nvidia.com"}}]}}},
    })
    core.create_namespaced_pod(namespace, _pod("dra", claim_template="one-gpu"))
    assert wait_for(lambda: _phase(core, namespace, "dra") == "Running", 60)
    claims = custom.list_namespaced_custom_object("resource.k8s.io", "v1", namespace, "resourceclaims")["items"]
    assert len(claims) == 1
    results = claims[0]["status"]["allocation"]["devices"]["results"]
    assert results[0]["driver"] == "gpu.nvidia.com" and results[0]["device"].startswith("gpu-")


def test_controller_manager_scales_deployments_and_deletes_namespaces(api, namespace):
    apps = client.AppsV1Api(api)
    core = client.CoreV1Api(api)
    apps.create_namespaced_deployment(namespace, {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10"}],
                                       "tolerations": [{"operator": "Exists"}]}}}})
    assert wait_for(lambda: (apps.read_namespaced_deployment("web", namespace).status.ready_replicas or 0) == 3, 60)
    assert len(apps.list_namespaced_replica_set(namespace).items) == 1

    doomed = namespace + "-gone"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=doomed)))
    core.delete_namespace(doomed)

    def gone():
        try:
            core.read_namespace(doomed)
            return False
        except client.ApiException as exc:
            return exc.status == 404

    assert wait_for(gone, 60), "namespace deletion should complete"


def test_up_twice_reuses_the_cluster_and_down_leaves_no_process(tmp_path):
    cluster = SimCluster(tmp_path / "lifecycle")
    try:
        cluster.up(gpu_nodes=1, dra=False, gateway_api=False)
        pids = {name: cluster.pid(name) for name in ("etcd", "kube-apiserver", "kwok")}
        cluster.up(gpu_nodes=1, dra=False, gateway_api=False)
        assert {name: cluster.pid(name) for name in pids} == pids, "a second up must not start a second cluster"
    finally:
        cluster.down()
    marker = str(cluster.dir)
    leftovers = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if marker in cmdline and int(proc.name) != os.getpid():
                leftovers.append(cmdline[:120])
    assert leftovers == []
