"""kube.budget: a check's waits never outlive its timeout."""

import time

import pytest

from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube
from ansible_collections.ai_conformance.rke2.plugins.module_utils.context import CheckContext

pytestmark = pytest.mark.unit


def test_budget_is_cut_to_the_checks_remaining_time():
    ctx = CheckContext(None, "gang_scheduling", "MUST", timeout=100)
    assert kube.budget(ctx, 30) == 30
    assert 95 <= kube.budget(ctx, 600) <= 100
    ctx.started = time.monotonic() - 99.5
    assert kube.budget(ctx, 30) == 1  # never 0: a wait always looks once
    ctx.started = time.monotonic() - 500
    assert kube.budget(ctx, 30) == 1
