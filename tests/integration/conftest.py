"""Fixtures that give integration tests a real Kubernetes API: the simulated GPU cluster.

`sim` is one cluster shared by the session (2 simulated GPU nodes x 1 GPU, DRA on, Gateway API CRDs).
`sim_factory` starts further clusters of other shapes (own directory and ports). All are stopped at
the end of the session. Set SIM_KEEP=1 to leave them running for debugging.
"""

from __future__ import annotations

import atexit
import os

import pytest

from tests.sim.cluster import SimCluster

_clusters = {}


def _stop_all():
    if os.environ.get("SIM_KEEP") == "1":
        return
    for cluster in list(_clusters.values()):
        cluster.down(quiet=True)
    _clusters.clear()


atexit.register(_stop_all)  # also when pytest dies between fixtures


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/integration" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def sim_factory(tmp_path_factory):
    """sim_factory(name, gpu_nodes=2, gpus_per_node=1, dra=True, gateway_api=True, cpu_nodes=0, addons=())."""

    def start(name, **shape):
        key = (name, tuple(sorted((k, str(v)) for k, v in shape.items())))
        if key not in _clusters:
            cluster = SimCluster(tmp_path_factory.mktemp("sim-" + name))
            _clusters[key] = cluster
            cluster.up(**shape)
        return _clusters[key]

    yield start
    _stop_all()


@pytest.fixture(scope="session")
def sim(sim_factory):
    return sim_factory("shared", gpu_nodes=2, gpus_per_node=1, dra=True)


@pytest.fixture(scope="session")
def kubeconfig(sim):
    return str(sim.kubeconfig)


@pytest.fixture(scope="session")
def api(sim):
    return sim.api_client()
