"""Benchmark (not a test): passive verify.yml wall time and API server request count vs. node count.

For each size a separate simulated cluster (tests/sim) is started with that many kwok GPU nodes
(stand-ins) and one ResourceSlice per node. Then verify.yml runs passively (every check of the
server's checklist), and apiserver_request_total is read from /metrics before and after.

The API server also serves its own controllers and kwok's node heartbeats (lease PUTs, node GETs and
PATCHes, events), which grow with the node count. Series of apiserver_request_total that move during an
idle window right before the run are treated as background and left out of "verify requests"; the
raw delta of all series is printed too. (A verify request landing in a background series, e.g. a
single-node GET, would be missed: the printed per-series breakdown shows what was counted.)

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


def request_series(metrics_text):
    """{series labels: count} of apiserver_request_total from the /metrics text."""
    series = {}
    for line in metrics_text.splitlines():
        match = _SAMPLE.match(line)
        if match:
            series[match.group(1)] = float(match.group(2))
    return series


def _short(labels):
    d = dict(re.findall(r'(\w+)="([^"]*)"', labels))
    return "%s %s%s%s (%s)" % (d.get("verb"), d.get("group") + "/" if d.get("group") else "", d.get("resource"),
                               "/" + d["subresource"] if d.get("subresource") else "", d.get("scope"))


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


def measure(nodes, workdir, keep, idle_window=15.0):
    cluster = SimCluster(workdir / ("sim-%d" % nodes))
    t0 = time.monotonic()
    cluster.up(gpu_nodes=nodes, gpus_per_node=1, dra=True)
    startup = time.monotonic() - t0
    try:
        time.sleep(10)  # let node creation traffic settle
        # Series that move while nobody runs verify are background (kwok heartbeats, controllers).
        idle_a = request_series(cluster.metrics())
        time.sleep(idle_window)
        before = request_series(cluster.metrics())
        background = {k for k, v in before.items() if v - idle_a.get(k, 0) > 0}
        out_dir = workdir / ("verify-%d" % nodes)
        out_dir.mkdir()
        elapsed, results = run_verify(cluster.kubeconfig, out_dir)
        after = request_series(cluster.metrics())
        delta = {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0) > 0}
        # background series and the benchmark's own /metrics reads are not verify's
        ours = {k: v for k, v in delta.items() if k not in background and 'subresource="/metrics"' not in k}
        return {
            "nodes": nodes, "startup_s": round(startup, 1), "verify_s": round(elapsed, 1),
            "checks": len(results["results"]),
            "check_s": round(sum(r["duration_s"] for r in results["results"]), 2),
            "requests_all": int(sum(delta.values())),
            "verify_requests": int(sum(ours.values())),
            "background_series": sorted(_short(k) for k in background),
            "verify_series": {_short(k): int(v) for k, v in sorted(ours.items(), key=lambda kv: -kv[1])},
            "statuses": {s: sum(r["status"] == s for r in results["results"]) for s in ("pass", "fail", "skip", "error")},
        }
    finally:
        if not keep:
            cluster.down(quiet=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--nodes", default="10,1000", help="comma-separated GPU node counts")
    parser.add_argument("--keep", action="store_true", help="leave the clusters running")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="verify-bench-") as tmp:
        for n in [int(x) for x in args.nodes.split(",")]:
            print("[bench] %d simulated GPU nodes ..." % n, flush=True)
            rows.append(measure(n, Path(tmp), args.keep))
            print("[bench] %s" % json.dumps(rows[-1]), flush=True)
    header = ("GPU nodes", "verify wall s", "checks", "sum of check s", "API requests during run (all)",
              "verify requests")
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        print("| %d | %.1f | %d | %.2f | %d | %d |" % (
            r["nodes"], r["verify_s"], r["checks"], r["check_s"], r["requests_all"], r["verify_requests"]))
    print()
    print("verify requests = apiserver_request_total delta over the run, without the series that also moved in an")
    print("idle window before it (background: %s)." % "; ".join(sorted({b for r in rows for b in r["background_series"]})))
    slowest = max(rows, key=lambda r: r["nodes"])
    print()
    print("target: passive verify <= %.0f s at the largest size: %.1f s (%s)" % (
        TARGET_S, slowest["verify_s"], "met" if slowest["verify_s"] <= TARGET_S else "NOT met"))
    if len(rows) > 1:
        small, large = rows[0], rows[-1]
        print("verify requests %d nodes -> %d nodes: %d -> %d" % (
            small["nodes"], large["nodes"], small["verify_requests"], large["verify_requests"]))
        grown = {k: (small["verify_series"].get(k, 0), v) for k, v in large["verify_series"].items()
                 if v > small["verify_series"].get(k, 0)}
        if grown:
            print("series that grew: " + "; ".join("%s %d -> %d" % (k, a, b) for k, (a, b) in grown.items()))


if __name__ == "__main__":
    main()
