"""verify.yml end to end against the simulated cluster (real kube-apiserver; kwok GPU nodes are stand-ins).

The bare shared sim has no gang scheduler, metrics stack or operator, so several MUST checks fail:
that is what makes fail_on_must observable here.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.ai_conformance.rke2.plugins.module_utils import catalog
from tests.integration.verify_support import FILES, failed_tasks, labelled_namespaces, product, results, run_verify

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def passive(sim, kubeconfig, tmp_path_factory):
    """One passive run of every 1.37 check with fail_on_must on (the default)."""
    proc, out = run_verify(tmp_path_factory.mktemp("passive"),
                           {"verify_kubeconfig": kubeconfig, "verify_active": False})
    return proc, out


def test_passive_run_writes_the_four_files(passive):
    proc, out = passive
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES), proc.stdout[-3000:]
    doc = results(out)
    ids = [e["id"] for e in catalog.checklist("1.37")]
    assert doc["checklistVersion"] == "1.37" and doc["active"] is False
    assert [r["id"] for r in doc["results"]] == ids
    for r in doc["results"]:
        assert r["status"] in ("pass", "fail", "skip", "error") and r["message"] and "\n" not in r["message"]
        assert r["level"] == catalog.requirement(r["id"], "1.37")["level"]
        assert r["cleaned_up"] == []  # passive: nothing created


def test_passive_run_prints_the_summary_table(passive):
    proc, out = passive
    assert re.search(r"^\s+id\s+level\s+status\s+message$", proc.stdout, re.M), proc.stdout[-3000:]
    for r in results(out)["results"]:
        assert re.search(r"^\s+%s\s+%s\s+%s\s" % (r["id"], r["level"], r["status"].upper()), proc.stdout, re.M), r["id"]
    assert "PRODUCT.yaml offline validation: FAILED" in proc.stdout


def test_failed_must_fails_the_play_after_the_report(passive):
    proc, out = passive
    failed = [r["id"] for r in results(out)["results"] if r["level"] == "MUST" and r["status"] in ("fail", "error")]
    assert failed, "the bare sim should fail some MUST (no gang scheduler, no metrics stack)"
    assert proc.returncode != 0
    assert "MUST requirement(s) not met: " + ", ".join(failed) in " ".join(proc.stdout.split())
    assert failed_tasks(proc.stdout) == 1


def test_junit_has_one_testcase_per_check_with_upstream_names(passive):
    _proc, out = passive
    root = ET.parse(out / "junit.xml").getroot()
    cases = root.findall("testsuite/testcase")
    assert [c.get("name") for c in cases] == [e["junit_name"] for e in catalog.checklist("1.37")]
    assert "TestSecureAcceleratorAccess" in [c.get("name") for c in cases]
    by_status = {r["junit_name"]: r["status"] for r in results(out)["results"]}
    for case in cases:
        tag = {"fail": "failure", "error": "error", "skip": "skipped", "pass": None}[by_status[case.get("name")]]
        if tag:
            assert case.find(tag) is not None, case.get("name")
    assert int(root.get("failures")) == sum(s == "fail" for s in by_status.values())


def test_product_yaml_maps_statuses(passive):
    _proc, out = passive
    doc = product(out)
    by_id = {r["id"]: r for r in results(out)["results"]}
    mapping = {"pass": "Implemented", "fail": "Not Implemented", "skip": "N/A", "error": ""}
    assert doc["metadata"]["kubernetesVersion"] == "v1.37"
    for category, items in doc["spec"].items():
        for item in items:
            r = by_id[item["id"]]
            assert item["status"] == mapping[r["status"]]
            assert r["message"] in item["notes"]
            if r["status"] == "pass":
                assert item["evidence"] == ["file://junit.xml#" + r["junit_name"]]


def test_no_verifier_namespace_left(passive, api):
    assert labelled_namespaces(api) == []


def test_fail_on_must_off_exits_zero_and_metadata_flows_in(sim, kubeconfig, tmp_path):
    meta = {"platformName": "RKE2", "vendorName": "SUSE", "productLogoUrl": "https://example.com/logo.svg"}
    proc, out = run_verify(tmp_path, {"verify_kubeconfig": kubeconfig, "verify_active": False,
                                      "verify_fail_on_must": False, "verify_product_metadata": meta,
                                      "verify_requirements": ["driver_runtime_management", "gang_scheduling"]})
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert [r["id"] for r in results(out)["results"]] == ["driver_runtime_management", "gang_scheduling"]
    doc = product(out)
    assert doc["metadata"]["platformName"] == "RKE2" and doc["metadata"]["vendorName"] == "SUSE"
    # every template id is listed even when only two were checked
    assert sum(len(v) for v in doc["spec"].values()) == 15
    assert "metadata.vendorName" not in proc.stdout and "metadata.platformVersion still holds" in proc.stdout


def test_tags_select_checks(sim, kubeconfig, tmp_path):
    proc, out = run_verify(tmp_path, {"verify_kubeconfig": kubeconfig, "verify_active": False,
                                      "verify_fail_on_must": False},
                           args=("--tags", "observability,secure_accelerator_access", "--skip-tags", "ai_service_metrics"))
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert [r["id"] for r in results(out)["results"]] == ["accelerator_metrics", "secure_accelerator_access"]


def test_checklist_override(sim, kubeconfig, tmp_path):
    proc, out = run_verify(tmp_path, {"verify_kubeconfig": kubeconfig, "verify_active": False,
                                      "verify_fail_on_must": False, "verify_checklist_version": "v1.33",
                                      "verify_requirements": ["dra_support"]})
    assert proc.returncode == 0, proc.stdout[-3000:]
    doc = results(out)
    assert doc["checklistVersion"] == "1.33" and doc["results"][0]["level"] == "SHOULD"
    assert product(out)["metadata"]["kubernetesVersion"] == "v1.33"


def test_check_mode_writes_nothing_and_creates_nothing(sim, kubeconfig, tmp_path, api):
    proc, out = run_verify(tmp_path, {"verify_kubeconfig": kubeconfig, "verify_fail_on_must": False,
                                      "verify_requirements": ["gang_scheduling", "secure_accelerator_access"]},
                           args=("--check", "--diff"))
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "active checks off" in proc.stdout
    assert not out.exists()
    assert labelled_namespaces(api) == []


def test_leftovers_from_an_earlier_run_are_removed(sim, kubeconfig, tmp_path, api):
    from kubernetes import client

    client.CoreV1Api(api).create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(
        name="aiconf-leftover-test", labels={"ai-conformance.rke2/verifier": "true"})))
    proc, _out = run_verify(tmp_path, {"verify_kubeconfig": kubeconfig, "verify_active": False,
                                       "verify_cleanup": True, "verify_fail_on_must": False,
                                       "verify_requirements": ["gang_scheduling"]})
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert labelled_namespaces(api) == []


def _bad_kubeconfig(tmp_path, kubeconfig, server=None):
    data = json.loads(open(kubeconfig).read())
    if server:
        data["clusters"][0]["cluster"]["server"] = server
    path = tmp_path / "kubeconfig"
    path.write_text(json.dumps(data))
    return str(path)


@pytest.mark.parametrize("case", ["missing_kubeconfig", "bad_context", "unreachable", "unknown_id",
                                  "unknown_version", "unknown_setting", "not_a_kubeconfig"])
def test_bad_input_gives_one_clear_message(sim, kubeconfig, tmp_path, case):
    variables = {"verify_kubeconfig": kubeconfig, "verify_active": False}
    expected = {
        "missing_kubeconfig": "kubeconfig /nonexistent/kubeconfig does not exist",
        "bad_context": "cannot load kubeconfig",
        "unreachable": "cannot reach the API server at https://127.0.0.1:1",
        "unknown_id": "unknown requirement id no_such_check: checklist 1.37 has",
        "unknown_version": "unknown checklist version '1.99': known versions are 1.33, 1.34, 1.35, 1.36, 1.37",
        "unknown_setting": "unknown setting no_such_key for check gang_scheduling: valid keys are",
        "not_a_kubeconfig": "cannot load kubeconfig",
    }[case]
    if case == "missing_kubeconfig":
        variables["verify_kubeconfig"] = "/nonexistent/kubeconfig"
    elif case == "bad_context":
        variables["verify_context"] = "no-such-context"
    elif case == "unreachable":
        variables["verify_kubeconfig"] = _bad_kubeconfig(tmp_path, kubeconfig, "https://127.0.0.1:1")
    elif case == "unknown_id":
        variables["verify_requirements"] = ["gang_scheduling", "no_such_check"]
    elif case == "unknown_version":
        variables["verify_checklist_version"] = "1.99"
    elif case == "unknown_setting":
        variables["verify_check_settings"] = {"gang_scheduling": {"no_such_key": 1}}
    elif case == "not_a_kubeconfig":
        path = tmp_path / "garbage"
        path.write_text("this: is: not yaml: [")
        variables["verify_kubeconfig"] = str(path)
    proc, out = run_verify(tmp_path, variables)
    assert proc.returncode != 0
    assert failed_tasks(proc.stdout) == 1, proc.stdout[-3000:]
    assert expected in " ".join(proc.stdout.split()), proc.stdout[-3000:]
    assert "Traceback" not in proc.stdout
    assert not out.exists()  # bad input changes nothing


def test_gpu_nodes_facts_reach_the_checks(sim, kubeconfig, tmp_path):
    """The gather play's node facts arrive in ctx.hosts.

    Stand-ins: the "GPU host" is this machine over a local connection, named like a simulated node;
    nvidia-smi is a script printing a fixed CSV line, the toolkit config a file in a temp dir.
    """
    import sys

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    smi = bin_dir / "nvidia-smi"
    smi.write_text("#!/bin/sh\n# stand-in for nvidia-smi (no GPU here)\n"
                   "echo '0, GPU-00000000-0000-0000-0000-000000000000, NVIDIA H100 80GB HBM3, 580.95.05'\n")
    smi.chmod(0o755)
    toolkit = tmp_path / "config.toml"
    toolkit.write_text("accept-nvidia-visible-devices-envvar-when-unprivileged = false\n"
                       "accept-nvidia-visible-devices-as-volume-mounts = true\n")
    inventory = ("all:\n  children:\n    gpu_nodes:\n      hosts:\n        sim-gpu-0:\n"
                 "          ansible_connection: local\n          ansible_become: false\n"
                 "          ansible_python_interpreter: %s\n" % sys.executable)
    proc, out = run_verify(tmp_path, {"verify_kubeconfig": kubeconfig, "verify_active": False,
                                      "verify_fail_on_must": False,
                                      "verify_toolkit_config_paths": [str(tmp_path / "missing.toml"), str(toolkit)]},
                           args=("--tags", "driver_runtime_management,secure_accelerator_access"),
                           inventory_text=inventory, path_prefix=bin_dir)
    assert proc.returncode == 0, proc.stdout[-3000:]
    by_id = {r["id"]: r for r in results(out)["results"]}
    smi_evidence = by_id["driver_runtime_management"]["evidence"].get("host_versions_match") or {}
    assert smi_evidence.get("sim-gpu-0", {}).get("nvidia_smi_driver") == ["580.95.05"], by_id["driver_runtime_management"]
    steps = {s["name"]: s for s in by_id["secure_accelerator_access"]["steps"]}
    assert "no host in inventory group gpu_nodes" not in steps["toolkit_config"]["message"]
    assert "sim-gpu-0" in by_id["secure_accelerator_access"]["evidence"].get("toolkit_config", {}), steps


def _adhoc_cleanup(kubeconfig, *args):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.integration.verify_support import REPO

    cmd = [str(Path(sys.executable).parent / "ansible"), "localhost", "-i", "localhost,", "-c", "local",
           "-e", "ansible_python_interpreter=" + sys.executable, "-m", "ai_conformance.rke2.conformance_cleanup",
           "-a", json.dumps({"kubeconfig": kubeconfig, "timeout": 60}), *args]
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_STDOUT_CALLBACK="json",
               ANSIBLE_LOAD_CALLBACK_PLUGINS="1")
    proc = subprocess.run(cmd, cwd=str(REPO), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stdout[-3000:]
    data = json.loads(proc.stdout[proc.stdout.index("{"):])
    return data["plays"][0]["tasks"][0]["hosts"]["localhost"]


def test_cleanup_module_check_mode_sweep_and_idempotence(sim, kubeconfig, api):
    from kubernetes import client

    label = {"ai-conformance.rke2/verifier": "true"}
    client.CoreV1Api(api).create_namespace(client.V1Namespace(
        metadata=client.V1ObjectMeta(name="aiconf-sweep-test", labels=label)))
    client.SchedulingV1Api(api).create_priority_class(client.V1PriorityClass(
        metadata=client.V1ObjectMeta(name="aiconf-sweep-test", labels=label), value=1000))
    try:
        result = _adhoc_cleanup(kubeconfig, "--check")
        assert result["changed"] is True
        assert {"Namespace/aiconf-sweep-test", "PriorityClass/aiconf-sweep-test"} <= set(result["deleted"])
        assert labelled_namespaces(api) == ["aiconf-sweep-test"]  # check mode deleted nothing
        result = _adhoc_cleanup(kubeconfig)
        assert result["changed"] is True and result["remaining"] == []
        assert labelled_namespaces(api) == []
        assert not [p for p in client.SchedulingV1Api(api).list_priority_class().items
                    if p.metadata.name == "aiconf-sweep-test"]
        result = _adhoc_cleanup(kubeconfig)
        assert result["changed"] is False and result["deleted"] == []
    finally:
        for delete in (lambda: client.SchedulingV1Api(api).delete_priority_class("aiconf-sweep-test"),
                       lambda: client.CoreV1Api(api).delete_namespace("aiconf-sweep-test")):
            try:
                delete()
            except client.exceptions.ApiException:
                pass
