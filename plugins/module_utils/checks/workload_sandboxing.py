# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Requirement workload_sandboxing (not implemented yet)."""

from __future__ import annotations

from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import ERROR, Step

ID = "workload_sandboxing"


def run(ctx):
    return [Step("implemented", ERROR, "the workload_sandboxing check is not implemented yet")]
