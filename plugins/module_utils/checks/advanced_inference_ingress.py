# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Requirement advanced_inference_ingress (not implemented yet)."""

from __future__ import annotations

from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import ERROR, Step

ID = "advanced_inference_ingress"


def run(ctx):
    return [Step("implemented", ERROR, "the advanced_inference_ingress check is not implemented yet")]
