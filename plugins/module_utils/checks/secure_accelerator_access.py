# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Requirement secure_accelerator_access (not implemented yet)."""

from __future__ import annotations

from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import ERROR, Step

ID = "secure_accelerator_access"


def run(ctx):
    return [Step("implemented", ERROR, "the secure_accelerator_access check is not implemented yet")]
