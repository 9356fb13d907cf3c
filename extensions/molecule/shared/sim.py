#!/usr/bin/env python
"""Start/stop the simulated cluster (tests/sim, real kube-apiserver + kwok) that the Molecule test hosts'
rke2 stand-in registers its nodes with. A dedicated cluster per scenario run, without GPU nodes.

  sim.py up WORKDIR     start (idempotent); prints {"kubeconfig": ..., "port": ...} as JSON
  sim.py down WORKDIR   stop it
"""
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO))

from tests.sim.cluster import SimCluster  # noqa: E402  (test harness, not product code)


def main(cmd, workdir):
    sim = SimCluster(workdir)
    if cmd == "down":
        if Path(workdir).exists():
            sim.down(quiet=True)
        return 0
    sim.up(gpu_nodes=0, dra=False, gateway_api=False)
    print(json.dumps({"kubeconfig": str(sim.kubeconfig), "port": sim.state()["ports"]["apiserver"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
