# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""One module per requirement id; CHECKS maps the id to its run(ctx) function.

Imports are explicit (not discovered at run time) so AnsiballZ packs every check with the module.
"""

from __future__ import annotations

from ansible_collections.ai_conformance.rke2.plugins.module_utils.checks import (
    dra_support,
    driver_runtime_management,
    gpu_sharing,
    virtualized_accelerator,
    ai_inference,
    advanced_inference_ingress,
    high_performance_networking,
    disaggregated_inference,
    gang_scheduling,
    cluster_autoscaling,
    pod_autoscaling,
    accelerator_metrics,
    ai_service_metrics,
    secure_accelerator_access,
    workload_sandboxing,
    robust_controller,
)

CHECKS = {m.ID: m.run for m in (
    dra_support,
    driver_runtime_management,
    gpu_sharing,
    virtualized_accelerator,
    ai_inference,
    advanced_inference_ingress,
    high_performance_networking,
    disaggregated_inference,
    gang_scheduling,
    cluster_autoscaling,
    pod_autoscaling,
    accelerator_metrics,
    ai_service_metrics,
    secure_accelerator_access,
    workload_sandboxing,
    robust_controller,
)}
