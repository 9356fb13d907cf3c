# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Requirement robust_controller (not implemented yet)."""

from __future__ import annotations

from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import ERROR, Step

ID = "robust_controller"


def run(ctx):
    return [Step("implemented", ERROR, "the robust_controller check is not implemented yet")]
