"""Add-on `cluster-autoscaler`: the upstream cluster-autoscaler (built from its Go module with the kwok
cloud provider) running out of cluster (KWOK_PROVIDER_MODE=local) against the simulated API server.

One GPU node group, `gpu-autoscaled`, from a template Node shaped like the simulated GPU nodes
(`nvidia.com/gpu` capacity, GPU Feature Discovery labels) but labelled
ai-conformance.rke2/node-group=gpu-autoscaled, so a pod can target the autoscaled group. CA creates
the Nodes; kwok (which manages every Node annotated kwok.x-k8s.io/node=fake) makes them Ready. Short
scan and scale-down times keep a scale-up/scale-down round trip under a minute.

Sizes and GPUs per node: SIM_CA_MIN_NODES (0), SIM_CA_MAX_NODES (2), SIM_CA_GPUS_PER_NODE (1).
Known limit (sim-cluster.md §5): no ResourceSlices for CA-made nodes, so DRA pods cannot trigger it.
"""

from __future__ import annotations

import json
import os

from tests.sim import nodes
from tests.sim.addons import _common

NAME = "cluster-autoscaler"
DEPENDS = ()
NAMESPACE = "kube-system"
NODE_GROUP = "gpu-autoscaled"
NODE_GROUP_ANNOTATION = "cluster-autoscaler.kwok.nodegroup/name"
STATUS_CONFIGMAP = "cluster-autoscaler-status"
# Scan and scale-down timings: fast enough for a test, the same logic as production defaults.
TIMINGS = {
    "scan-interval": "2s",
    "scale-down-unneeded-time": "10s",
    "scale-down-delay-after-add": "10s",
    "scale-down-delay-after-delete": "0s",
    "scale-down-delay-after-failure": "10s",
    "scale-down-unready-time": "30s",
    "max-node-provision-time": "2m",
    "unremovable-node-recheck-timeout": "15s",
}


def _version():
    return _common.pins()["ADDON_CA_VERSION"]


def build():
    return _common.build("cluster-autoscaler", "cluster-autoscaler", _version())


def sizes():
    env = os.environ.get
    lo, hi, gpus = int(env("SIM_CA_MIN_NODES", "0")), int(env("SIM_CA_MAX_NODES", "2")), int(
        env("SIM_CA_GPUS_PER_NODE", "1"))
    if not 0 <= lo <= hi or gpus < 1:
        raise ValueError("need 0 <= SIM_CA_MIN_NODES (%d) <= SIM_CA_MAX_NODES (%d) and SIM_CA_GPUS_PER_NODE >= 1"
                         % (lo, hi))
    return lo, hi, gpus


def template_node(cluster, min_nodes, max_nodes, gpus):
    node = nodes.gpu_node_manifest(NODE_GROUP, gpus, k8s_version=cluster.k8s_version, node_group=NODE_GROUP)
    # CA copies template labels to every node it makes; a shared hostname label would be wrong.
    node["metadata"]["labels"].pop("kubernetes.io/hostname", None)
    node["metadata"]["annotations"].update({
        "cluster-autoscaler.kwok.nodegroup/min-count": str(min_nodes),
        "cluster-autoscaler.kwok.nodegroup/max-count": str(max_nodes),
        NODE_GROUP_ANNOTATION: NODE_GROUP,
    })
    return node


def provider_config():
    return {
        "apiVersion": "v1alpha1",
        "readNodesFrom": "configmap",
        "nodegroups": {"fromNodeLabelKey": nodes.NODE_GROUP_LABEL},
        # Nodes like the real GPU nodes: no extra kwok-provider taint.
        "nodes": {"skipTaint": True,
                  "gpuConfig": {"gpuLabelKey": "nvidia.com/gpu.product",
                                "availableGPUTypes": {nodes.GPU_PRODUCT: {}}}},
        "configmap": {"name": "kwok-provider-templates"},
    }


def manifests(cluster):
    lo, hi, gpus = sizes()
    labels = {_common.ADDON_LABEL: NAME}
    # A one-item v1 List: the provider accepts a List or several Node documents, not a single Node.
    templates = {"apiVersion": "v1", "kind": "List", "items": [template_node(cluster, lo, hi, gpus)]}
    return [
        {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": {"name": "kwok-provider-config", "namespace": NAMESPACE, "labels": labels},
         "data": {"config": json.dumps(provider_config(), indent=2)}},
        {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": {"name": "kwok-provider-templates", "namespace": NAMESPACE, "labels": labels},
         "data": {"templates": json.dumps(templates, indent=2)}},
    ]


def _status(cluster):
    from kubernetes import client

    cm = client.CoreV1Api(cluster.api_client()).read_namespaced_config_map(STATUS_CONFIGMAP, NAMESPACE)
    return (cm.data or {}).get("status", "")


def start(cluster):
    binary = build()
    port = _common.ports(cluster, NAME, "metrics")["metrics"]
    _common.apply(cluster, manifests(cluster))
    kc = str(cluster.kubeconfig)
    argv = [binary, "--cloud-provider=kwok", "--kubeconfig=" + kc, "--namespace=" + NAMESPACE,
            "--leader-elect=false", "--address=127.0.0.1:%d" % port,
            "--expander=least-waste", "--scale-down-enabled=true",
            "--skip-nodes-with-local-storage=false", "--skip-nodes-with-system-pods=false",
            "--enforce-node-group-min-size=true", "--max-inactivity=10m", "--v=2"]
    argv += ["--%s=%s" % kv for kv in TIMINGS.items()]
    # The kwok provider ignores --kubeconfig: local mode reads KUBECONFIG (sim-cluster.md §5 pitfall 1).
    cluster.spawn(NAME, argv, env={"KWOK_PROVIDER_MODE": "local", "KUBECONFIG": kc, "POD_NAMESPACE": NAMESPACE})
    _common.wait_for(cluster, NAME, "cluster-autoscaler health check on port %d" % port,
                     lambda: _common.http_get("http://127.0.0.1:%d/health-check" % port)[0] == 200, 90)
    _common.wait_for(cluster, NAME, "cluster-autoscaler status ConfigMap %s/%s" % (NAMESPACE, STATUS_CONFIGMAP),
                     lambda: "Running" in _status(cluster), 60)


def autoscaled_nodes(cluster):
    from kubernetes import client

    return [n.metadata.name for n in client.CoreV1Api(cluster.api_client()).list_node().items
            if (n.metadata.annotations or {}).get(NODE_GROUP_ANNOTATION) == NODE_GROUP
            and n.spec.provider_id]


def stop(cluster):
    if not _common.state(cluster, NAME).get("ports"):
        return
    # CA deletes its nodes itself on SIGTERM (provider Cleanup); delete any it left so nothing remains.
    _common.delete(cluster, [{"apiVersion": "v1", "kind": "Node", "metadata": {"name": n}}
                             for n in autoscaled_nodes(cluster)])
    _common.delete(cluster, manifests(cluster))
