"""make sim-up / sim-status / sim-down:  python -m tests.sim {up,status,down} [options]

Options default to environment variables so make can pass them through:
SIM_DIR, SIM_K8S_VERSION, SIM_GPU_NODES, SIM_GPUS_PER_NODE, SIM_CPU_NODES, SIM_DRA, SIM_ADDONS.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from tests.sim.cluster import SimCluster, SimError


def main(argv=None):
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="python -m tests.sim", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["up", "status", "down", "build"])
    parser.add_argument("--dir", default=env("SIM_DIR"), help="cluster directory (default .sim)")
    parser.add_argument("--k8s-version", default=env("SIM_K8S_VERSION"), help="e.g. 1.36 or v1.36.3")
    parser.add_argument("--gpu-nodes", type=int, default=int(env("SIM_GPU_NODES", "2")))
    parser.add_argument("--gpus-per-node", type=int, default=int(env("SIM_GPUS_PER_NODE", "1")))
    parser.add_argument("--cpu-nodes", type=int, default=int(env("SIM_CPU_NODES", "0")))
    parser.add_argument("--dra", default=env("SIM_DRA", "true"), choices=["true", "false"])
    parser.add_argument("--addons", default=env("SIM_ADDONS", ""), help="comma-separated add-ons")
    args = parser.parse_args(argv)
    try:
        cluster = SimCluster(args.dir, k8s_version=args.k8s_version)
        if args.action == "build":
            cluster.build()
        elif args.action == "up":
            cluster.up(gpu_nodes=args.gpu_nodes, gpus_per_node=args.gpus_per_node, cpu_nodes=args.cpu_nodes,
                       dra=args.dra == "true", addons=args.addons)
            print("export KUBECONFIG=%s" % cluster.kubeconfig)
        elif args.action == "status":
            status = cluster.status()
            print(json.dumps(status, indent=2))
            return 0 if status["running"] else 3
        else:
            cluster.down()
    except SimError as exc:
        print("sim: error: %s" % exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
