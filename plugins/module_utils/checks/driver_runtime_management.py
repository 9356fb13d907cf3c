# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Requirement driver_runtime_management (not implemented yet)."""

from __future__ import annotations

from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import ERROR, Step

ID = "driver_runtime_management"


def run(ctx):
    return [Step("implemented", ERROR, "the driver_runtime_management check is not implemented yet")]
