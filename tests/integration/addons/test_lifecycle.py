"""Add-on life cycle: optional per cluster, logs under <cluster>/logs, stopped by down() with nothing
left behind, and an APIService removed before its backend stops (no namespace stuck Terminating)."""

from __future__ import annotations

import socket
import uuid

import pytest
from kubernetes import client

from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube

from tests.sim.addons import ADDONS, _common, prometheus_adapter
from tests.sim.cluster import SimCluster, SimError, resolve_addons


def test_dependencies_are_started_first():
    assert resolve_addons("prometheus-adapter", ADDONS) == ["dcgm-exporter", "prometheus", "prometheus-adapter"]
    with pytest.raises(SimError, match="unknown add-on 'nope'"):
        resolve_addons("nope", ADDONS)


def _listening(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_stop_removes_the_apiservice_first_and_down_leaves_nothing(tmp_path):
    cluster = SimCluster(tmp_path / "sim")
    try:
        cluster.up(gpu_nodes=1, gpus_per_node=1, dra=False, gateway_api=False, addons=["prometheus-adapter"])
        names = ["dcgm-exporter-standin", "prometheus", "prometheus-adapter"]
        pids = {name: cluster.pid(name) for name in names}
        assert all(pids.values()), pids
        assert all((cluster.logs / (name + ".log")).is_file() for name in names)
        ports = [p for addon in ("dcgm-exporter", "prometheus", "prometheus-adapter")
                 for p in _common.state(cluster, addon)["ports"].values()]
        assert all(_listening(p) for p in ports)

        api = cluster.api_client()
        prometheus_adapter.stop(cluster)
        registration = client.ApiregistrationV1Api(api)
        assert prometheus_adapter.APISERVICE not in [s.metadata.name for s in registration.list_api_service().items]
        assert cluster.pid("prometheus-adapter"), "stop() removes API objects; the process stops in down()"
        core = client.CoreV1Api(api)
        name = "it-after-stop-" + uuid.uuid4().hex[:6]
        core.create_namespace({"metadata": {"name": name}})
        core.delete_namespace(name)
        assert kube.wait_until(lambda: name not in [n.metadata.name for n in core.list_namespace().items], 60)
    finally:
        stopped = cluster.down()
    assert set(names) <= set(stopped)
    assert not any(cluster.pid(name) for name in names)
    assert not list(cluster.pids.glob("*.pid"))
    assert not any(_listening(p) for p in ports)
