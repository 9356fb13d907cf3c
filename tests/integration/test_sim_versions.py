"""Every served Kubernetes minor whose binaries are built runs, reports its own version, and makes
verify pick the matching checklist. The default version is built by `make sim-build`; others are
built on request (`SIM_K8S_VERSION=1.35 make sim-build`) and skipped, with that reason, until then."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.sim.cluster import REPO, SimCluster, _pinned


def _versions():
    return _pinned()[1]


@pytest.mark.parametrize("version", _versions())
def test_version_runs_and_selects_its_checklist(version, tmp_path):
    cluster = SimCluster(tmp_path / "sim", k8s_version=version)
    if not cluster.binary("kube-apiserver").exists():
        pytest.skip("Kubernetes %s is not built here (SIM_K8S_VERSION=%s make sim-build builds it)" % (version, version))
    try:
        cluster.up(gpu_nodes=1, dra=True, gateway_api=False)
        out = subprocess.run(
            [str(REPO / ".venv" / "bin" / "ansible"), "localhost", "-m", "ai_conformance.rke2.conformance_info",
             "-a", "kubeconfig=%s" % cluster.kubeconfig, "-e", "ansible_python_interpreter=%s" % (REPO / ".venv/bin/python"),
             "-o"],
            cwd=REPO, env=dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg")),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False).stdout
        result = json.loads(out.split("=>", 1)[1])
        minor = version.split(".")[1]
        assert result["server_version"]["minor"] == minor
        assert result["checklist_version"] == "1." + minor
        assert result["checklist_source"] == "server"
        ids = result["ids"]
        # dra_support is in the 1.34/1.35 checklists and dropped from 1.36 on.
        assert ("dra_support" in ids) == (minor in ("34", "35"))
    finally:
        cluster.down()
