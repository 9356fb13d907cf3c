# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Requirement high_performance_networking (not implemented yet)."""

from __future__ import annotations

from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import ERROR, Step

ID = "high_performance_networking"


def run(ctx):
    return [Step("implemented", ERROR, "the high_performance_networking check is not implemented yet")]
