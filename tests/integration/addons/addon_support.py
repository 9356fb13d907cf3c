"""Shared pieces of the add-on tests: the add-ons of the shared add-on cluster (fixture addon_sim in
conftest.py) and a check runner going through runner.run_check like verify does."""

from __future__ import annotations

from ansible_collections.ai_conformance.rke2.plugins.module_utils import runner
from ansible_collections.ai_conformance.rke2.plugins.module_utils.context import CheckContext

from tests.sim.addons import ADDONS

# The demo's shape: 2 simulated GPU nodes x 1 GPU, DRA on, every add-on.
ALL_ADDONS = tuple(ADDONS)


def run_check(api, check_id, settings=None, active=True, timeout=300):
    return runner.run_check(CheckContext(api, check_id, "MUST", settings=settings or {}, active=active,
                                         timeout=timeout))


def statuses(result):
    return {s.name: s.status for s in result.steps}


def step(result, name):
    return next(s for s in result.steps if s.name == name)
