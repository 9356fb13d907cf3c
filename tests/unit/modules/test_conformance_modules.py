# -*- coding: utf-8 -*-
"""Module entry points: argument handling, bad input messages, report writing, check mode, diff.

No cluster here: bad input must fail before any connection is made, and conformance_report never
connects. The cluster paths are covered by tests/integration/test_verify_playbook.py.
"""

from __future__ import annotations

import json
import os

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.ai_conformance.rke2.plugins.module_utils import catalog
from ansible_collections.ai_conformance.rke2.plugins.modules import (
    conformance_check, conformance_info, conformance_report)

pytestmark = pytest.mark.unit


def run_module(module, args, capsys):
    """Run module.main() with args; returns (exit code, JSON result)."""
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exit_info:
            module.main()
    return exit_info.value.code, json.loads(capsys.readouterr().out)


def result(check_id, status, message="seen"):
    entry = catalog.requirement(check_id, "1.37")
    return {"id": check_id, "level": entry["level"], "category": entry["category"], "junit_name": entry["junit_name"],
            "status": status, "message": message, "duration_s": 0.5,
            "steps": [{"name": "s", "status": status, "message": message, "evidence": {}}]}


def test_info_unknown_version_fails_before_connecting(capsys):
    code, out = run_module(conformance_info, {"checklist_version": "1.99", "kubeconfig": "/nonexistent"}, capsys)
    assert code == 1 and out["msg"].startswith("unknown checklist version '1.99'")


def test_info_unknown_id_fails_before_connecting(capsys):
    code, out = run_module(conformance_info, {"checklist_version": "1.37", "requirements": ["nope"],
                                              "kubeconfig": "/nonexistent"}, capsys)
    assert code == 1 and out["msg"].startswith("unknown requirement id nope: checklist 1.37 has")


def test_info_bad_settings_fail_before_connecting(capsys):
    code, out = run_module(conformance_info, {"checklist_version": "1.37", "settings": {"dra_support": {}},
                                              "kubeconfig": "/nonexistent"}, capsys)
    assert code == 1 and out["msg"].startswith("settings given for unknown requirement id dra_support")


def test_info_bad_kubeconfig(capsys):
    code, out = run_module(conformance_info, {"kubeconfig": "/nonexistent"}, capsys)
    assert code == 1 and out["msg"] == "kubeconfig /nonexistent does not exist"


def test_check_bad_input(capsys):
    code, out = run_module(conformance_check, {"checklist_version": "1.33", "requirements": ["workload_sandboxing"],
                                               "kubeconfig": "/nonexistent"}, capsys)
    assert code == 1 and "workload_sandboxing is not part of checklist 1.33" in out["msg"]
    code, out = run_module(conformance_check, {"checklist_version": "1.37", "requirements": [],
                                               "kubeconfig": "/nonexistent"}, capsys)
    assert code == 1 and out["msg"] == "requirements is empty: name at least one requirement id"


def report_args(tmp_path, **extra):
    args = {"output_dir": str(tmp_path / "out"), "checklist_version": "1.37", "server_version": "v1.37.2",
            "started_at": "2026-11-27T04:00:00Z", "finished_at": "2026-11-27T04:01:00Z",
            "results": [result("gang_scheduling", "pass"), result("robust_controller", "fail", "no operator")]}
    args.update(extra)
    return args


def test_report_writes_four_files_then_is_idempotent(tmp_path, capsys):
    code, out = run_module(conformance_report, report_args(tmp_path), capsys)
    assert code == 0 and out["changed"] is True
    assert sorted(os.listdir(tmp_path / "out")) == ["PRODUCT.yaml", "junit.xml", "report.md", "results.json"]
    assert out["failed_musts"] == ["robust_controller"]
    assert out["counts"] == {"pass": 1, "fail": 1, "skip": 0, "error": 0, "total": 2}
    assert "robust_controller" in out["validation"]["must_not_implemented"]
    assert "WILL BE REJECTED" in json.dumps(out["warnings"])
    code, out = run_module(conformance_report, report_args(tmp_path), capsys)
    assert code == 0 and out["changed"] is False and out["changed_files"] == []


def test_report_check_mode_and_diff_write_nothing(tmp_path, capsys):
    code, out = run_module(conformance_report, dict(report_args(tmp_path), _ansible_check_mode=True,
                                                    _ansible_diff=True), capsys)
    assert code == 0 and out["changed"] is True
    assert not (tmp_path / "out").exists()
    assert {d["after_header"].rsplit("/", 1)[1] for d in out["diff"]} == {
        "results.json", "junit.xml", "report.md", "PRODUCT.yaml"}


def test_report_fills_lost_checks_with_errors(tmp_path, capsys):
    code, out = run_module(conformance_report, report_args(
        tmp_path, requirements=["gang_scheduling", "robust_controller", "ai_inference"],
        missing_reason="async task timed out"), capsys)
    assert code == 0
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    lost = [r for r in doc["results"] if r["id"] == "ai_inference"][0]
    assert lost["status"] == "error" and "async task timed out" in lost["message"]
    assert [r["id"] for r in doc["results"]] == ["ai_inference", "gang_scheduling", "robust_controller"]


def test_report_bad_results_and_metadata(tmp_path, capsys):
    code, out = run_module(conformance_report, report_args(tmp_path, results=[{"id": "x"}]), capsys)
    assert code == 1 and out["msg"].startswith("results[0] lacks level, status, message, junit_name")
    code, out = run_module(conformance_report, report_args(tmp_path, product_metadata={"vendor": "x"}), capsys)
    assert code == 1 and out["msg"].startswith("unknown PRODUCT.yaml metadata key 'vendor'")
    assert not (tmp_path / "out").exists()


def test_report_fail_on_invalid_product(tmp_path, capsys):
    code, out = run_module(conformance_report, report_args(tmp_path, fail_on_invalid_product=True), capsys)
    assert code == 1 and out["msg"].startswith("PRODUCT.yaml fails offline validation: ")
    assert (tmp_path / "out" / "PRODUCT.yaml").exists()  # written before failing
