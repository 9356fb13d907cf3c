# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Requirement ai_service_metrics (not implemented yet)."""

from __future__ import annotations

from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import ERROR, Step

ID = "ai_service_metrics"


def run(ctx):
    return [Step("implemented", ERROR, "the ai_service_metrics check is not implemented yet")]
