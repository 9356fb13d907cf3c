"""Manifests of simulated (kwok) GPU nodes and the DRA objects the NVIDIA DRA driver would publish.

These nodes are stand-ins: no kubelet, no GPU. kwok manages every Node annotated
`kwok.x-k8s.io/node: fake`, marks it Ready and runs its pods without containers. Labels mimic what
GPU Feature Discovery sets on a real node, so checks read the same keys they read on real clusters.
"""

from __future__ import annotations

import hashlib

KWOK_ANNOTATION = {"kwok.x-k8s.io/node": "fake"}
DRA_DRIVER = "gpu.nvidia.com"
GPU_PRODUCT = "NVIDIA-H100-80GB-HBM3"
DRIVER_VERSION = "580.95.05"
CUDA_DRIVER_VERSION = "13.0"
CONTAINER_RUNTIME = "containerd://2.1.5-k3s1"
NODE_GROUP_LABEL = "ai-conformance.rke2/node-group"


def gpu_uuid(node_name, index):
    digest = hashlib.sha1(("%s/%d" % (node_name, index)).encode()).hexdigest()
    return "GPU-%s-%s-%s-%s-%s" % (digest[:8], digest[8:12], digest[12:16], digest[16:20], digest[20:32])


def gpu_labels(gpus, product=GPU_PRODUCT, driver=DRIVER_VERSION):
    major, minor, rev = (driver.split(".") + ["0", "0"])[:3]
    return {
        "nvidia.com/gpu.present": "true",
        "nvidia.com/gpu.product": product,
        "nvidia.com/gpu.count": str(gpus),
        "nvidia.com/gpu.memory": "81559",
        "nvidia.com/gpu.family": "hopper",
        "nvidia.com/gpu.machine": "Standard_NC40ads_H100_v5",
        "nvidia.com/cuda.driver-version.full": driver,
        "nvidia.com/cuda.driver-version.major": major,
        "nvidia.com/cuda.driver-version.minor": minor,
        "nvidia.com/cuda.driver-version.revision": rev,
        "nvidia.com/cuda.runtime-version.full": CUDA_DRIVER_VERSION,
        "nvidia.com/gpu.deploy.device-plugin": "true",
    }


def gpu_node_manifest(name, gpus=1, labels=None, k8s_version="v1.37.2", node_group="gpu", taints=None):
    """A kwok-managed Node advertising `gpus` nvidia.com/gpu (0 makes a CPU-only node)."""
    node_labels = {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "node.kubernetes.io/instance-type": "Standard_NC40ads_H100_v5" if gpus else "Standard_D8s_v5",
        "type": "kwok",
        NODE_GROUP_LABEL: node_group,
    }
    if gpus:
        node_labels.update(gpu_labels(gpus))
    node_labels.update(labels or {})
    resources = {"cpu": "32", "memory": "256Gi", "pods": "110", "ephemeral-storage": "500Gi"}
    if gpus:
        resources["nvidia.com/gpu"] = str(gpus)
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": node_labels, "annotations": dict(KWOK_ANNOTATION)},
        "spec": {"taints": taints or []},
        # Nodes accept status on create; kwok keeps capacity/allocatable it finds.
        "status": {
            "capacity": resources,
            "allocatable": resources,
            "nodeInfo": {
                "architecture": "amd64",
                "operatingSystem": "linux",
                "osImage": "Ubuntu 24.04.3 LTS (simulated by kwok)",
                "kernelVersion": "6.8.0-simulated",
                "containerRuntimeVersion": CONTAINER_RUNTIME,
                "kubeletVersion": k8s_version + "+rke2r1",
                "kubeProxyVersion": "",
                "machineID": "", "systemUUID": "", "bootID": "",
            },
        },
    }


def device_class_manifest():
    return {
        "apiVersion": "resource.k8s.io/v1",
        "kind": "DeviceClass",
        "metadata": {"name": DRA_DRIVER},
        "spec": {"selectors": [{"cel": {"expression": "device.driver == '%s'" % DRA_DRIVER}}]},
    }


def resource_slice_manifest(node_name, gpus, product=GPU_PRODUCT, driver=DRIVER_VERSION):
    """One ResourceSlice for a node's GPUs, in the shape the NVIDIA DRA driver publishes."""
    devices = []
    for index in range(gpus):
        devices.append({
            "name": "gpu-%d" % index,
            "attributes": {
                "type": {"string": "gpu"},
                "uuid": {"string": gpu_uuid(node_name, index)},
                "index": {"int": index},
                "minor": {"int": index},
                "productName": {"string": product.replace("-", " ")},
                "brand": {"string": "Nvidia"},
                "architecture": {"string": "Hopper"},
                "cudaComputeCapability": {"version": "9.0.0"},
                "driverVersion": {"version": ".".join(str(int(p)) for p in driver.split("."))},
                "cudaDriverVersion": {"version": CUDA_DRIVER_VERSION + ".0"},
            },
            "capacity": {"memory": {"value": "80Gi"}},
        })
    return {
        "apiVersion": "resource.k8s.io/v1",
        "kind": "ResourceSlice",
        "metadata": {"name": "%s-%s" % (node_name, DRA_DRIVER.replace(".", "-"))},
        "spec": {
            "driver": DRA_DRIVER,
            "nodeName": node_name,
            "pool": {"name": node_name, "generation": 1, "resourceSliceCount": 1},
            "devices": devices,
        },
    }
