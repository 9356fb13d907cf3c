"""Benchmark (not a test): passive verify.yml wall time and API server request count vs. node count.

For each size a separate simulated cluster (tests/sim) is started with that many kwok GPU nodes
(stand-ins) and one ResourceSlice per node. Then verify.yml runs passively (every check of the
server's checklist), and apiserver_request_total is read from /metrics before and after.

The API server also serves its own controllers and kwok's node heartbeats, which grow with the node
count. To isolate verify's requests the count is taken over GET/LIST requests on resources other than
leases, and the same counter is measured over an idle window of the same length right before the run;
"verify requests" = run delta - idle delta. Both raw numbers are printed.

Usage: python -m tests.bench.verify_bench [--nodes 10,1000] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.sim.cluster import SimCluster

REPO = Path(__file__).resolve().parents[2]
_SAMPLE = re.compile(r'^apiserver_request_total\{([^}]*)\} ([0-9.e+]+)$')
TARGET_S = 30.0


def request_counts(metrics_text):
    """(all requests, GET/LIST requests on non-lease resources) from the /metrics text."""
    total = reads = 0.0
    for line in metrics_text.splitlines():
        match = _SAMPLE.match(line)
        if not match:
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
        value = float(match.group(2))
        total += value
        if labels.get("verb") in ("GET", "LIST") and labels.get("resource") != "leases":
            reads += value
    return total, reads


def run_verify(kubeconfig, out_dir):
    inventory = out_dir / "inventory.yml"
    inventory.write_text("all:\n  children:\n    gpu_nodes:\n      hosts: {}\n")
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"))
    cmd = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(inventory),
           str(REPO / "playbooks" / "verify.yml"), "-e", "verify_kubeconfig=" + str(kubeconfig),
           "-e", "verify_active=false", "-e", "verify_fail_on_must=false",
           "-e", "verify_output_dir=" + str(out_dir / "report")]
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=str(REPO), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, check=False)
    elapsed = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit("verify.yml failed (%d):\n%s" % (proc.returncode, proc.stdout[-4000:]))
    results = json.loads((out_dir / "report" / "results.json").read_text())
    return elapsed, results


def measure(nodes, workdir, keep):
    cluster = SimCluster(workdir / ("sim-%d" % nodes))
    t0 = time.monotonic()
    cluster.up(gpu_nodes=nodes, gpus_per_node=1, dra=True)
    startup = time.monotonic() - t0
    try:
        time.sleep(10)  # let node creation traffic settle
        idle_start = request_counts(cluster.metrics())
        out_dir = workdir / ("verify-%d" % nodes)
        out_dir.mkdir()
        # idle window as long as a verify run is expected to be, measured before the run
        idle_window = 10.0
        time.sleep(idle_window)
        before = request_counts(cluster.metrics())
        idle = [(b - a) / idle_window for a, b in zip(idle_start, before)]
        elapsed, results = run_verify(cluster.kubeconfig, out_dir)
        after = request_counts(cluster.metrics())
        # /metrics reads of ours are GETs on a non-resource path: 1 per read, negligible and constant.
        delta = [a - b for a, b in zip(after, before)]
        background = [rate * elapsed for rate in idle]
        return {
            "nodes": nodes, "startup_s": round(startup, 1), "verify_s": round(elapsed, 1),
            "checks": len(results["results"]),
            "check_s": round(sum(r["duration_s"] for r in results["results"]), 2),
            "requests_all": int(delta[0]), "reads": int(delta[1]),
            "idle_reads_per_s": round(idle[1], 2),
            "verify_reads": int(round(delta[1] - background[1])),
            "statuses": {s: sum(r["status"] == s for r in results["results"]) for s in ("pass", "fail", "skip", "error")},
        }
    finally:
        if not keep:
            cluster.down(quiet=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", default="10,1000", help="comma-separated GPU node counts")
    parser.add_argument("--keep", action="store_true", help="leave the clusters running")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="verify-bench-") as tmp:
        for n in [int(x) for x in args.nodes.split(",")]:
            print("[bench] %d simulated GPU nodes ..." % n, flush=True)
            rows.append(measure(n, Path(tmp), args.keep))
            print("[bench] %s" % json.dumps(rows[-1]), flush=True)
    header = ("GPU nodes", "verify wall s", "checks", "sum of check s", "API requests (all)",
              "GET/LIST (no leases)", "idle GET/LIST per s", "verify GET/LIST (net)")
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        print("| %d | %.1f | %d | %.2f | %d | %d | %.2f | %d |" % (
            r["nodes"], r["verify_s"], r["checks"], r["check_s"], r["requests_all"], r["reads"],
            r["idle_reads_per_s"], r["verify_reads"]))
    slowest = max(rows, key=lambda r: r["nodes"])
    print()
    print("target: passive verify <= %.0f s at the largest size: %.1f s (%s)" % (
        TARGET_S, slowest["verify_s"], "met" if slowest["verify_s"] <= TARGET_S else "NOT met"))
    if len(rows) > 1:
        small, large = rows[0], rows[-1]
        print("request count %d nodes -> %d nodes: %d -> %d (net GET/LIST of verify)" % (
            small["nodes"], large["nodes"], small["verify_reads"], large["verify_reads"]))


if __name__ == "__main__":
    main()
