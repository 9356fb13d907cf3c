"""Fixtures of the add-on tests (tests/sim/addons)."""

import pytest

from tests.integration.addons.addon_support import ALL_ADDONS


@pytest.fixture(scope="session")
def addon_sim(sim_factory):
    """One simulated cluster running every add-on, shared by the add-on tests (the demo's shape)."""
    return sim_factory("addons", gpu_nodes=2, gpus_per_node=1, dra=True, addons=ALL_ADDONS)
