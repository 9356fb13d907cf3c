"""Fixtures for the component roles: a simulated cluster with the real CRDs of the roles' custom kinds,
and a runner for playbooks/site.yml with this host (localhost) as the only RKE2 server."""

from __future__ import annotations

import pytest
from tests.integration.roles.component_site import SiteRun

from tests.sim import crds


@pytest.fixture(scope="module")
def crd_sim(sim_factory):
    """A cluster of its own (1 GPU node) with HelmChart/HelmChartConfig, ServiceMonitor, Kueue, Kubeflow
    Trainer and KubeRay CRDs registered from their Go modules (Gateway API CRDs come with the sim).
    Stopped after this module: every running control plane holds inotify instances (default limit 128)."""
    cluster = sim_factory("component-crds", gpu_nodes=1, gpus_per_node=1, dra=False)
    crds.register(cluster.api_client())
    yield cluster
    cluster.down(quiet=True)


@pytest.fixture
def own_sim(sim_factory):
    """sim_factory for one test: the clusters it starts are stopped when the test ends."""
    started = []

    def start(name, **shape):
        cluster = sim_factory(name, **shape)
        started.append(cluster)
        return cluster

    yield start
    for cluster in started:
        cluster.down(quiet=True)


@pytest.fixture
def site(tmp_path):
    def make(kubeconfig=None):
        return SiteRun(tmp_path, kubeconfig)

    return make
