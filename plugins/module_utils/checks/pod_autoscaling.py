# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Requirement pod_autoscaling (not implemented yet)."""

from __future__ import annotations

from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import ERROR, Step

ID = "pod_autoscaling"


def run(ctx):
    return [Step("implemented", ERROR, "the pod_autoscaling check is not implemented yet")]
