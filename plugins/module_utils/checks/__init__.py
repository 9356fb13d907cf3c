# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""One module per requirement id; CHECKS maps the id to its run(ctx) function.

Imports are explicit (not discovered at run time) so AnsiballZ packs every check with the module.

Contract for a check module (docs/verify.md):
- ID: the requirement id; run(ctx) -> list of result.Step.
- SETTINGS (optional): {"key": (default, "description")}; user settings are validated against it
  (see settings_for) and merged over the defaults before the CheckContext is built.
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

MODULES = {m.ID: m for m in (
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

CHECKS = {check_id: module.run for check_id, module in MODULES.items()}


def settings_spec(check_id):
    """{key: (default, description)} a check accepts ({} when it takes no settings)."""
    return dict(getattr(MODULES[check_id], "SETTINGS", None) or {})


def settings_for(check_id, given):
    """The defaults of check_id's SETTINGS overlaid with `given`; ValueError naming the valid keys."""
    spec = settings_spec(check_id)
    given = dict(given or {})
    unknown = sorted(set(given) - set(spec))
    if unknown:
        raise ValueError("unknown setting%s %s for check %s: valid keys are %s"
                         % ("s" if len(unknown) > 1 else "", ", ".join(unknown), check_id,
                            ", ".join(sorted(spec)) if spec else "(none: this check takes no settings)"))
    merged = {key: default for key, (default, _doc) in spec.items()}
    merged.update(given)
    return merged


def validate_settings(settings, checklist_ids):
    """Check a {requirement id: {key: value}} dict; ValueError with one clear message when it is wrong.

    Ids must belong to the checklist (settings for ids not being run are allowed and ignored).
    """
    settings = settings or {}
    stray = sorted(set(settings) - set(checklist_ids))
    if stray:
        raise ValueError("settings given for unknown requirement id%s %s: the checklist has %s"
                         % ("s" if len(stray) > 1 else "", ", ".join(stray), ", ".join(checklist_ids)))
    for check_id, value in settings.items():
        if not isinstance(value, dict):
            raise ValueError("settings.%s must be a dict of setting: value, got %s" % (check_id, type(value).__name__))
        settings_for(check_id, value)
