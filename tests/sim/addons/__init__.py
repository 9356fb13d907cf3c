"""Optional add-ons of the simulated cluster: upstream controllers run as local processes against the
simulated API server (tests/sim/cluster.py starts them with SimCluster.up(addons=[...])).

Contract per module: NAME, DEPENDS (names of other add-ons), build() (idempotent, cached under
$SIM_CACHE/<component>-<version>), start(cluster) (spawn processes with cluster.spawn, create the API
objects they need, wait until ready or raise SimError naming what is missing), stop(cluster) (delete API
objects such as APIServices and webhooks; SimCluster.down() then stops the processes).
"""

from __future__ import annotations

from tests.sim.addons import (cluster_autoscaler, dcgm_exporter, kuberay, kueue, prometheus, prometheus_adapter,
                              sample_inference, traefik)

# Dependency order: an add-on comes after everything in its DEPENDS.
ADDONS = {m.NAME: m for m in (dcgm_exporter, sample_inference, prometheus, prometheus_adapter, cluster_autoscaler,
                              traefik, kueue, kuberay)}
# What `make demo` (and `make sim-up` without ADDONS=) starts.
DEFAULT = tuple(ADDONS)
