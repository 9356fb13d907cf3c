# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""The CNCF Kubernetes AI Conformance checklists v1.33-v1.37 as data.

REQUIREMENTS below is the only place the requirement texts live. It is a plain literal (not YAML
next to the module) because AnsiballZ ships only Python module_utils to the managed node. The unit
test tests/unit/module_utils/test_catalog.py rebuilds every checklist from it and compares it with
the vendored CNCF templates (tests/unit/fixtures/checklists/), so a typo here fails the tests.

junit_name is the upstream kubernetes-sigs/ai-conformance test name where one exists
(upstream_test True); otherwise it is ours, named in the same style.
"""

from __future__ import annotations

import re

VERSIONS = ("1.33", "1.34", "1.35", "1.36", "1.37")
LATEST = VERSIONS[-1]

# spec keys in template order.
CATEGORIES = ("accelerators", "networking", "schedulingOrchestration", "observability", "security", "operator")

# metadata keys of each template, in template order. The submission validator (validate.go)
# additionally requires k8sConformanceUrl for every version; see REQUIRED_METADATA.
_BASE_METADATA = ("kubernetesVersion", "platformName", "platformVersion", "vendorName", "websiteUrl",
                  "repoUrl", "documentationUrl", "productLogoUrl", "description", "contactEmailAddress")
TEMPLATE_METADATA = {v: _BASE_METADATA for v in VERSIONS}
TEMPLATE_METADATA["1.35"] = _BASE_METADATA + ("k8sConformanceUrl",)
# Rejected by validate.go when missing or empty (repoUrl is optional: open source only).
REQUIRED_METADATA = tuple(k for k in _BASE_METADATA if k != "repoUrl") + ("k8sConformanceUrl",)

LEVELS = ("MUST", "SHOULD")

REQUIREMENTS = (
    {
        "id": "dra_support",
        "category": "accelerators",
        "kar": "0051",
        "junit_name": "TestDRASupport",
        "upstream_test": False,
        "levels": {"1.33": "SHOULD", "1.34": "MUST", "1.35": "MUST"},
        "description": (
            "Support Dynamic Resource Allocation (DRA) APIs to enable more flexible and fine-grained "
            "resource requests beyond simple counts."
        ),
    },
    {
        "id": "driver_runtime_management",
        "category": "accelerators",
        "kar": "0001",
        "junit_name": "TestAcceleratorDriverRuntimeManagement",
        "upstream_test": True,
        "levels": {"1.35": "SHOULD", "1.36": "SHOULD", "1.37": "SHOULD"},
        "description": (
            "Provide a verifiable mechanism for ensuring that compatible accelerator drivers and "
            "corresponding container runtime configurations are correctly installed and maintained on "
            "nodes with accelerators. Once the accelerator supports exposing driver and runtime version "
            "information as part of DRA, then the platform should use the DRA mechanism for verification."
        ),
    },
    {
        "id": "gpu_sharing",
        "category": "accelerators",
        "kar": "0003",
        "junit_name": "TestGPUSharing",
        "upstream_test": False,
        "levels": {"1.35": "SHOULD", "1.36": "SHOULD", "1.37": "SHOULD"},
        "description": (
            "For accelerators that support static GPU sharing, provide well-defined mechanisms for at "
            "least one GPU sharing strategy to improve utilization for workloads that do not require a "
            "full dedicated GPU. If hardware-level partitioning is supported, then these fractional GPU "
            "resources should be exposed as schedulable resources. If software-based sharing (e.g. time-"
            "slicing) is supported, then oversubscription of GPUs should be allowed. Forward-looking: "
            "Once the accelerator supports static GPU sharing as part of DRA, the platform should expose "
            "the DRA mechanism to allow users to leverage static GPU sharing. Once the accelerator "
            "supports dynamic GPU sharing as part of DRA and the partitionable devices feature is GA, the"
            " platform should expose the DRA mechanism to allow users to leverage dynamic GPU sharing."
        ),
    },
    {
        "id": "virtualized_accelerator",
        "category": "accelerators",
        "kar": "0004",
        "junit_name": "TestVirtualizedAccelerator",
        "upstream_test": False,
        "levels": {"1.35": "SHOULD", "1.36": "SHOULD", "1.37": "SHOULD"},
        "description": (
            "For accelerators that support virtualized accelerator technologies (e.g. vGPU), provide "
            "well-defined mechanisms for these to be exposed and managed, maintaining consistency with "
            "physical fractional GPUs. Forward-looking: Once the accelerator supports virtualized "
            "accelerator technologies as part of DRA, then the platform should use the DRA mechanism."
        ),
    },
    {
        "id": "ai_inference",
        "category": "networking",
        "kar": None,
        "junit_name": "TestAIInferenceGatewayAPI",
        "upstream_test": False,
        "levels": {"1.33": "MUST", "1.34": "MUST", "1.35": "MUST", "1.36": "MUST", "1.37": "MUST"},
        "description": (
            "Support the Kubernetes Gateway API with an implementation for advanced traffic management "
            "for inference services, which enables capabilities like weighted traffic splitting, header-"
            "based routing (for OpenAI protocol headers), and optional integration with service meshes."
        ),
    },
    {
        "id": "advanced_inference_ingress",
        "category": "networking",
        "kar": "0011",
        "junit_name": "TestAdvancedInferenceIngress",
        "upstream_test": False,
        "levels": {"1.36": "SHOULD", "1.37": "SHOULD"},
        "description": (
            "Support an implementation of the Gateway API Inference Extension (GAIE), which can route "
            "requests to models hosted on Kubernetes. The implementation supports serving LLMs and making"
            " advanced routing decisions (e.g., K/V cache-aware routing) based on metrics and "
            "capabilities advertised by the underlying model serving platform."
        ),
    },
    {
        "id": "high_performance_networking",
        "category": "networking",
        "kar": "0010",
        "junit_name": "TestHighPerformanceNetworking",
        "upstream_test": False,
        "levels": {"1.36": "SHOULD", "1.37": "SHOULD"},
        "description": (
            "If high performance pod-to-pod communication is needed, then provide well-defined mechanisms"
            " for these specialized network resources to be managed and exposed such that their "
            "characteristics should be discoverable to enable informed scheduling or workload "
            "configuration and to enable pods to attach to multiple network interfaces. Platforms should "
            "use DRA as the mechanism to manage and expose these specialized network resources (e.g., "
            "DRANET)."
        ),
    },
    {
        "id": "disaggregated_inference",
        "category": "networking",
        "kar": "0041",
        "junit_name": "TestDisaggregatedInference",
        "upstream_test": False,
        "levels": {"1.36": "SHOULD", "1.37": "SHOULD"},
        "description": (
            "Support the deployment and operation of disaggregated inference architectures. To be "
            "conformant, the platform should demonstrate that it can successfully install and run a "
            "disaggregated inference solution (e.g., vLLM, SGLang, llm-d, or Dynamo, with separate "
            "instances for distinct phases like prefill and decode). Disaggregated serving splits phases "
            "such as prefill and decode into separately scalable components so each phase can match "
            "different compute/memory/network needs, improving GPU utilization and tail latency while "
            "enabling higher throughput under mixed and bursty LLM workloads."
        ),
    },
    {
        "id": "gang_scheduling",
        "category": "schedulingOrchestration",
        "kar": "0053",
        "junit_name": "TestGangScheduling",
        "upstream_test": True,
        "levels": {"1.33": "MUST", "1.34": "MUST", "1.35": "MUST", "1.36": "MUST", "1.37": "MUST"},
        "description": (
            "The platform must allow for the installation and successful operation of at least one gang "
            "scheduling solution that ensures all-or-nothing scheduling for distributed AI workloads "
            "(e.g. Kueue, Volcano, etc.) To be conformant, the vendor must demonstrate that their "
            "platform can successfully run at least one such solution."
        ),
    },
    {
        "id": "cluster_autoscaling",
        "category": "schedulingOrchestration",
        "kar": "0055",
        "junit_name": "TestAcceleratorClusterAutoscaling",
        "upstream_test": True,
        "levels": {"1.33": "MUST", "1.34": "MUST", "1.35": "MUST", "1.36": "MUST", "1.37": "MUST"},
        "description": (
            "If the platform provides a cluster autoscaler or an equivalent mechanism, it must be able to"
            " scale up/down node groups containing specific accelerator types based on pending pods "
            "requesting those accelerators."
        ),
    },
    {
        "id": "pod_autoscaling",
        "category": "schedulingOrchestration",
        "kar": "0057",
        "junit_name": "TestAcceleratorPodAutoscaling",
        "upstream_test": False,
        "levels": {"1.33": "MUST", "1.34": "MUST", "1.35": "MUST", "1.36": "MUST", "1.37": "MUST"},
        "description": (
            "If the platform supports the HorizontalPodAutoscaler, it must function correctly for pods "
            "utilizing accelerators. This includes the ability to scale these Pods based on custom "
            "metrics relevant to AI/ML workloads."
        ),
    },
    {
        "id": "accelerator_metrics",
        "category": "observability",
        "kar": "0059",
        "junit_name": "TestAcceleratorPerformanceMetrics",
        "upstream_test": True,
        "levels": {"1.33": "MUST", "1.34": "MUST", "1.35": "MUST", "1.36": "MUST", "1.37": "MUST"},
        "description": (
            "For supported accelerator types, the platform must allow for the installation and successful"
            " operation of at least one accelerator metrics solution that exposes fine-grained "
            "performance metrics via a standardized, machine-readable metrics endpoint. This must include"
            " a core set of metrics for per-accelerator utilization and memory usage. Additionally, other"
            " relevant metrics such as temperature, power draw, and interconnect bandwidth should be "
            "exposed if the underlying hardware or virtualization layer makes them available. The list of"
            " metrics should align with emerging standards, such as OpenTelemetry metrics, to ensure "
            "interoperability. The platform may provide a managed solution, but this is not required for "
            "conformance."
        ),
        # Verbatim from the 1.37 template, typo ("makes they available") included.
        "description_overrides": {"1.37": (
            "For supported accelerator types, the platform must allow for the installation and successful"
            " operation of at least one accelerator metrics solution that exposes fine-grained "
            "performance metrics via a standardized, machine-readable metrics endpoint. This must include"
            " a core set of metrics for per-accelerator utilization and memory usage. Additionally, other"
            " relevant metrics such as temperature, power draw, and interconnect bandwidth should be "
            "exposed if the underlying hardware or virtualization layer makes they available. The list of"
            " metrics should align with emerging standards, such as OpenTelemetry metrics, to ensure "
            "interoperability. The platform may provide a managed solution, but this is not required for "
            "conformance."
        )},
    },
    {
        "id": "ai_service_metrics",
        "category": "observability",
        "kar": "0061",
        "junit_name": "TestAIServiceMetrics",
        "upstream_test": True,
        "levels": {"1.33": "MUST", "1.34": "MUST", "1.35": "MUST", "1.36": "MUST", "1.37": "MUST"},
        "description": (
            "Provide a monitoring system capable of discovering and collecting metrics from workloads "
            "that expose them in a standard format (e.g. Prometheus exposition format). This ensures easy"
            " integration for collecting key metrics from common AI frameworks and servers."
        ),
    },
    {
        "id": "secure_accelerator_access",
        "category": "security",
        "kar": "0049",
        "junit_name": "TestSecureAcceleratorAccess",
        "upstream_test": True,
        "levels": {"1.33": "MUST", "1.34": "MUST", "1.35": "MUST", "1.36": "MUST", "1.37": "MUST"},
        "description": (
            "Ensure that access to accelerators from within containers is properly isolated and mediated "
            "by the Kubernetes resource management framework (device plugin or DRA) and container "
            "runtime, preventing unauthorized access or interference between workloads."
        ),
    },
    {
        "id": "workload_sandboxing",
        "category": "security",
        "kar": "0020",
        "junit_name": "TestWorkloadSandboxing",
        "upstream_test": True,
        "levels": {"1.37": "SHOULD"},
        "description": (
            "Provide a mechanism to run workloads in a sandbox that provides strong isolation from the "
            "host node kernel. This is crucial for AI agent use cases that may execute untrusted code. "
            "The sandbox should isolate the workload's process, memory, filesystem, and network access "
            "from the host node and other co-located pods."
        ),
    },
    {
        "id": "robust_controller",
        "category": "operator",
        "kar": "0063",
        "junit_name": "TestRobustCRDControllerOperation",
        "upstream_test": True,
        "levels": {"1.33": "MUST", "1.34": "MUST", "1.35": "MUST", "1.36": "MUST", "1.37": "MUST"},
        "description": (
            "The platform must prove that at least one complex AI operator with a CRD (e.g., Ray, "
            "Kubeflow) can be installed and functions reliably. This includes verifying that the "
            "operator's pods run correctly, its webhooks are operational, and its custom resources can be"
            " reconciled."
        ),
    },
)

_BY_ID = {r["id"]: r for r in REQUIREMENTS}
ALL_IDS = tuple(_BY_ID)


class CatalogError(ValueError):
    """An unknown checklist version or requirement id; the message names the valid values."""


def normalize_version(version):
    """'1.37', 'v1.37', '1.37.2', 'v1.37.2+rke2r1' → '1.37'; CatalogError for versions we do not know."""
    match = re.match(r"^v?(\d+)\.(\d+)", str(version).strip())
    minor = "%s.%s" % match.groups() if match else str(version)
    if minor not in VERSIONS:
        raise CatalogError("unknown checklist version %r: known versions are %s"
                           % (version, ", ".join(VERSIONS)))
    return minor


def version_for_server(major, minor):
    """The checklist matching a server's /version major/minor (minor may be '37+').

    Servers newer than the newest checklist get the newest one; older ones raise CatalogError.
    """
    digits = re.match(r"\d+", str(minor))
    if not digits:
        raise CatalogError("cannot read a minor version from %r" % (minor,))
    version = "%s.%s" % (int(major), int(digits.group()))
    if version in VERSIONS:
        return version
    if (int(major), int(digits.group())) > tuple(int(x) for x in LATEST.split(".")):
        return LATEST
    raise CatalogError("server version %s is older than the oldest checklist (%s); pick one with "
                       "checklist_version" % (version, VERSIONS[0]))


def requirement(requirement_id, version):
    """One catalog entry for a checklist version: id, category, level, description, junit_name, ..."""
    version = normalize_version(version)
    req = _BY_ID.get(requirement_id)
    if req is None:
        raise CatalogError("unknown requirement id %r: known ids are %s" % (requirement_id, ", ".join(ALL_IDS)))
    if version not in req["levels"]:
        raise CatalogError("requirement %r is not part of checklist %s (it is in %s)"
                           % (requirement_id, version, ", ".join(req["levels"])))
    return {
        "id": req["id"],
        "category": req["category"],
        "level": req["levels"][version],
        "description": req.get("description_overrides", {}).get(version, req["description"]),
        "junit_name": req["junit_name"],
        "upstream_test": req["upstream_test"],
        "kar": req["kar"],
    }


def checklist(version):
    """All entries of one checklist version, in template order."""
    version = normalize_version(version)
    return [requirement(r["id"], version) for r in REQUIREMENTS if version in r["levels"]]


def select(version, ids=None):
    """The entries to run: all of the checklist, or the given ids in checklist order.

    An id unknown to every checklist, or absent from this one, raises CatalogError naming the valid ids.
    """
    entries = checklist(version)
    if not ids:
        return entries
    wanted = list(dict.fromkeys(ids))
    known = {e["id"] for e in entries}
    unknown = [i for i in wanted if i not in _BY_ID]
    if unknown:
        raise CatalogError("unknown requirement id%s %s: checklist %s has %s"
                           % ("s" if len(unknown) > 1 else "", ", ".join(unknown),
                              normalize_version(version), ", ".join(e["id"] for e in entries)))
    absent = [i for i in wanted if i not in known]
    if absent:
        raise CatalogError("requirement%s %s not part of checklist %s: it has %s"
                           % ("s" if len(absent) > 1 else "", ", ".join(absent) + (" are" if len(absent) > 1 else " is"),
                              normalize_version(version), ", ".join(e["id"] for e in entries)))
    return [e for e in entries if e["id"] in wanted]
