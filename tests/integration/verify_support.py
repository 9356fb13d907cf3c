"""Helpers for the verify integration tests: run verify.yml, read its outputs, find verifier leftovers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
VERIFIER_LABEL = "ai-conformance.rke2/verifier"
FILES = ("results.json", "junit.xml", "report.md", "PRODUCT.yaml")


def run_verify(tmp_path, extra_vars=None, args=(), timeout=900, inventory_text=None, path_prefix=None):
    """ansible-playbook playbooks/verify.yml, by default with an inventory whose gpu_nodes group is empty.

    Returns (CompletedProcess with stdout+stderr in .stdout, output dir).
    """
    tmp_path.mkdir(parents=True, exist_ok=True)
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(inventory_text or "all:\n  children:\n    gpu_nodes:\n      hosts: {}\n")
    out = tmp_path / "report"
    variables = {"verify_output_dir": str(out), "verify_check_poll": 1}
    variables.update(extra_vars or {})
    var_file = tmp_path / "vars.json"
    var_file.write_text(json.dumps(variables))
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_FORCE_COLOR="0", PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    if path_prefix:
        env["PATH"] = str(path_prefix) + os.pathsep + env["PATH"]
    for key in [k for k in env if k.startswith("K8S_AUTH_")] + ["KUBECONFIG"]:
        env.pop(key, None)
    cmd = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(inventory),
           str(REPO / "playbooks" / "verify.yml"), "-e", "@" + str(var_file), *args]
    proc = subprocess.run(cmd, cwd=str(REPO), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=timeout, check=False)
    return proc, out


def results(out):
    return json.loads((out / "results.json").read_text())


def product(out):
    return yaml.safe_load((out / "PRODUCT.yaml").read_text())


def labelled_namespaces(api):
    from kubernetes import client

    return [ns.metadata.name for ns in
            client.CoreV1Api(api).list_namespace(label_selector=VERIFIER_LABEL + "=true").items]


def failed_tasks(stdout):
    """Number of failed tasks in the PLAY RECAP of localhost."""
    for line in stdout.splitlines():
        if line.startswith("localhost") and "failed=" in line:
            return int(line.split("failed=")[1].split()[0])
    raise AssertionError("no PLAY RECAP line for localhost in:\n" + stdout[-3000:])
