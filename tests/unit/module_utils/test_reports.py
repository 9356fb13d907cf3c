# -*- coding: utf-8 -*-
"""results.json, junit.xml, report.md, PRODUCT.yaml and the offline validator (pure logic)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
import yaml

from ansible_collections.ai_conformance.rke2.plugins.module_utils import catalog, reports

pytestmark = pytest.mark.unit

RUN = {"checklist_version": "1.37", "server_version": "v1.37.2", "started_at": "2026-11-27T04:00:00Z",
       "finished_at": "2026-11-27T04:01:00Z", "active": True}
GOOD_META = {
    "platformName": "RKE2", "platformVersion": "v1.37.2+rke2r1", "vendorName": "SUSE",
    "websiteUrl": "https://www.suse.com", "documentationUrl": "https://documentation.suse.com/cloudnative/rke2/",
    "productLogoUrl": "https://example.com/logo.svg", "description": "RKE2 with GPUs.",
    "contactEmailAddress": "ai@example.com",
    "k8sConformanceUrl": "https://github.com/cncf/k8s-conformance/tree/master/v1.37/rke2",
}


def result(check_id, status, message="observed something", version="1.37", duration=1.5, steps=None):
    entry = catalog.requirement(check_id, version)
    return {"id": check_id, "level": entry["level"], "category": entry["category"],
            "junit_name": entry["junit_name"], "description": entry["description"], "status": status,
            "message": message, "duration_s": duration,
            "steps": steps if steps is not None else [{"name": "s1", "status": status, "message": message}],
            "evidence": {"s1": {"seen": [1, 2]}}, "cleaned_up": []}


def all_pass(version="1.37"):
    return [result(e["id"], "pass", version=version) for e in catalog.checklist(version)]


def test_counts_and_failed_musts():
    rs = [result("gang_scheduling", "fail"), result("gpu_sharing", "fail"), result("robust_controller", "error"),
          result("ai_inference", "pass"), result("cluster_autoscaling", "skip")]
    assert reports.counts(rs) == {"pass": 1, "fail": 2, "skip": 1, "error": 1, "total": 5}
    assert [r["id"] for r in reports.failed_musts(rs)] == ["gang_scheduling", "robust_controller"]


def test_summary_table_has_a_row_per_result_and_totals():
    rs = [result("gang_scheduling", "fail", "x" * 300), result("gpu_sharing", "pass")]
    lines = reports.summary_table(rs, width=120)
    assert lines[0].split() == ["id", "level", "status", "message"]
    assert lines[2].startswith("gang_scheduling") and " MUST " in lines[2] and " FAIL " in lines[2]
    assert lines[2].endswith("...") and len(lines[2]) <= 120
    assert lines[-1] == "2 checks: 1 pass, 1 fail, 0 skip, 0 error"


def test_results_json_round_trips():
    doc = json.loads(reports.results_json(RUN, [result("gang_scheduling", "fail")]))
    assert doc["checklistVersion"] == "1.37" and doc["failedMusts"] == ["gang_scheduling"]
    assert doc["results"][0]["evidence"] == {"s1": {"seen": [1, 2]}}


def test_junit_is_gotestsum_shaped():
    rs = [result("secure_accelerator_access", "pass", duration=2.0), result("gang_scheduling", "fail", "no queue"),
          result("robust_controller", "error", "403 forbidden"), result("cluster_autoscaling", "skip", "no autoscaler")]
    root = ET.fromstring(reports.junit_xml(RUN, rs))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "1", "1")
    suite = root.find("testsuite")
    assert suite.get("skipped") == "1" and suite.get("timestamp") == RUN["started_at"]
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert list(cases) == ["TestSecureAcceleratorAccess", "TestGangScheduling", "TestRobustCRDControllerOperation",
                           "TestAcceleratorClusterAutoscaling"]
    assert cases["TestSecureAcceleratorAccess"].get("time") == "2.000000"
    assert cases["TestGangScheduling"].find("failure").get("message") == "no queue"
    assert "--- FAIL: TestGangScheduling" in cases["TestGangScheduling"].find("failure").text
    assert cases["TestRobustCRDControllerOperation"].find("error").get("message") == "403 forbidden"
    assert cases["TestAcceleratorClusterAutoscaling"].find("skipped").get("message") == "no autoscaler"
    assert reports.junit_outcomes(reports.junit_xml(RUN, rs)) == {
        "TestSecureAcceleratorAccess": "pass", "TestGangScheduling": "fail",
        "TestRobustCRDControllerOperation": "error", "TestAcceleratorClusterAutoscaling": "skip"}


def test_junit_escapes_markup_in_messages():
    text = reports.junit_xml(RUN, [result("gang_scheduling", "fail", 'a <b> & "c"')])
    assert ET.fromstring(text).find("testsuite/testcase/failure").get("message") == 'a <b> & "c"'


@pytest.mark.parametrize("version", catalog.VERSIONS)
def test_product_lists_every_template_id_in_order(version):
    doc = reports.product_document(version, GOOD_META, [])
    got = {cat: [i["id"] for i in items] for cat, items in doc["spec"].items()}
    want = {}
    for e in catalog.checklist(version):
        want.setdefault(e["category"], []).append(e["id"])
    assert got == want
    assert doc["metadata"]["kubernetesVersion"] == "v" + version
    assert all(i["status"] == "" and i["notes"] for items in doc["spec"].values() for i in items)


def test_product_status_mapping_and_evidence():
    rs = [result("gang_scheduling", "pass"), result("robust_controller", "fail", "no operator"),
          result("cluster_autoscaling", "skip", "no autoscaler here"), result("ai_inference", "error", "boom")]
    doc = reports.product_document("1.37", GOOD_META, rs)
    items = {i["id"]: i for items in doc["spec"].values() for i in items}
    assert items["gang_scheduling"]["status"] == "Implemented"
    assert items["gang_scheduling"]["evidence"] == ["file://junit.xml#TestGangScheduling"]
    assert items["robust_controller"] == dict(items["robust_controller"], status="Not Implemented", evidence=[])
    assert "no operator" in items["robust_controller"]["notes"]
    assert items["cluster_autoscaling"]["status"] == "N/A"
    assert "no autoscaler here" in items["cluster_autoscaling"]["notes"]
    assert items["ai_inference"]["status"] == "" and "boom" in items["ai_inference"]["notes"]


def test_product_overrides():
    rs = [result("cluster_autoscaling", "skip", "no autoscaler")]
    doc = reports.product_document("1.37", GOOD_META, rs, overrides={
        "cluster_autoscaling": {"status": "Implemented", "notes": "on-prem, no autoscaler",
                                "evidence": ["https://docs.example.com/autoscaling"]}})
    item = doc["spec"]["schedulingOrchestration"][1]
    assert item == dict(item, status="Implemented", notes="on-prem, no autoscaler",
                        evidence=["https://docs.example.com/autoscaling"])
    with pytest.raises(ValueError, match="not in checklist 1.37: dra_support"):
        reports.product_document("1.37", GOOD_META, [], overrides={"dra_support": {}})


def test_metadata_snake_case_and_unknown_keys():
    doc = reports.product_document("1.35", {"platform_name": "X", "repo_url": "https://g.example/x"}, [])
    assert doc["metadata"]["platformName"] == "X" and doc["metadata"]["repoUrl"] == "https://g.example/x"
    assert list(doc["metadata"])[-1] == "k8sConformanceUrl"
    with pytest.raises(ValueError, match="unknown PRODUCT.yaml metadata key 'vendor'"):
        reports.product_document("1.37", {"vendor": "x"}, [])


def test_product_yaml_is_loadable_and_keeps_descriptions():
    text = reports.product_yaml(reports.product_document("1.37", GOOD_META, all_pass()), "1.37", "now")
    assert text.startswith("# Kubernetes AI Conformance Checklist - v1.37")
    loaded = yaml.safe_load(text)
    metrics = [i for i in loaded["spec"]["observability"] if i["id"] == "accelerator_metrics"][0]
    assert "makes they available" in metrics["description"]


def _validate(doc, tmp_path=None, junit=None, version="1.37"):
    files = {"junit.xml": junit} if junit is not None else {}
    return reports.validate_product(doc, version, product_dir=str(tmp_path) if tmp_path else None, files=files)


def test_all_pass_with_metadata_is_valid():
    rs = all_pass()
    v = _validate(reports.product_document("1.37", GOOD_META, rs), junit=reports.junit_xml(RUN, rs))
    assert v["valid"], v["errors"]
    assert v["must_not_implemented"] == []


def test_placeholders_and_missing_metadata_are_errors():
    rs = all_pass()
    doc = reports.product_document("1.37", {}, rs)
    v = _validate(doc, junit=reports.junit_xml(RUN, rs))
    assert not v["valid"]
    assert "metadata.vendorName still holds the placeholder [Vendor Name]" in v["errors"]
    doc["metadata"]["vendorName"] = ""
    assert "metadata.vendorName is missing or empty" in _validate(doc, junit="<testsuites/>")["errors"]


def test_metadata_format_rules():
    meta = dict(GOOD_META, productLogoUrl="https://example.com/logo.png",
                k8sConformanceUrl="https://example.com/x", kubernetesVersion="v1.36")
    rs = all_pass()
    errors = _validate(reports.product_document("1.37", meta, rs), junit=reports.junit_xml(RUN, rs))["errors"]
    assert any("productLogoUrl must end in .svg" in e for e in errors)
    assert any("k8sConformanceUrl must look like" in e for e in errors)
    assert any("kubernetesVersion is v1.36 but the checklist is v1.37" in e for e in errors)


def test_must_not_implemented_is_reported():
    rs = all_pass()
    rs[7] = result("gang_scheduling", "fail")
    v = _validate(reports.product_document("1.37", GOOD_META, rs), junit=reports.junit_xml(RUN, rs))
    assert v["must_not_implemented"] == ["gang_scheduling"]
    assert reports.validation_lines(v)[0].startswith("!!! PRODUCT.yaml WILL BE REJECTED")


def test_missing_ids_categories_bad_status_and_na_without_notes():
    rs = all_pass()
    doc = reports.product_document("1.37", GOOD_META, rs)
    del doc["spec"]["operator"]
    doc["spec"]["security"] = [i for i in doc["spec"]["security"] if i["id"] != "workload_sandboxing"]
    doc["spec"]["accelerators"][0]["status"] = "Done"
    doc["spec"]["accelerators"][1].update(status="N/A", notes="")
    errors = _validate(doc, junit=reports.junit_xml(RUN, rs))["errors"]
    assert "spec.operator (category) is missing" in errors
    assert "spec.operator.robust_controller is missing" in errors
    assert "spec.security.workload_sandboxing is missing" in errors
    assert any("status 'Done' is not one of" in e for e in errors)
    assert any("gpu_sharing: status N/A needs a justification" in e for e in errors)


def test_should_without_status_and_evidence_is_skipped():
    rs = [r for r in all_pass() if r["level"] == "MUST"]
    v = _validate(reports.product_document("1.37", GOOD_META, rs), junit=reports.junit_xml(RUN, rs))
    assert v["valid"], v["errors"]
    assert "gpu_sharing" in v["skipped"]


def test_evidence_must_exist_and_its_test_must_pass(tmp_path):
    rs = all_pass()
    junit = reports.junit_xml(RUN, rs)
    doc = reports.product_document("1.37", GOOD_META, rs, overrides={
        "gpu_sharing": {"evidence": ["e2e.log", "../outside.log", "file://junit.xml#TestNope"]}})
    errors = _validate(doc, tmp_path, junit=junit)["errors"]
    assert any("e2e.log: file e2e.log does not exist" in e for e in errors)
    assert any("../outside.log: paths must stay inside" in e for e in errors)
    assert any("junit.xml has no testcase TestNope" in e for e in errors)
    (tmp_path / "e2e.log").write_text("ok\n")
    failing = reports.junit_xml(RUN, [r if r["id"] != "gang_scheduling" else result("gang_scheduling", "fail")
                                      for r in rs])
    doc["spec"]["schedulingOrchestration"][0]["evidence"] = ["file://junit.xml#TestGangScheduling"]
    errors = _validate(doc, tmp_path, junit=failing)["errors"]
    assert not any("e2e.log" in e for e in errors)
    assert any("testcase TestGangScheduling did not pass (fail)" in e for e in errors)


def test_evidence_read_from_disk(tmp_path):
    rs = all_pass()
    (tmp_path / "junit.xml").write_text(reports.junit_xml(RUN, rs))
    v = reports.validate_product(reports.product_document("1.37", GOOD_META, rs), "1.37", product_dir=str(tmp_path))
    assert v["valid"], v["errors"]


def test_report_md_mentions_every_check_and_validation():
    rs = [result("gang_scheduling", "fail", "queue | missing"), result("gpu_sharing", "pass")]
    v = _validate(reports.product_document("1.37", {}, rs), junit=reports.junit_xml(RUN, rs))
    text = reports.report_md(RUN, rs, v)
    assert "**MUST requirements not met:** `gang_scheduling` (fail)" in text
    assert "queue \\| missing" in text
    assert "### gpu_sharing (SHOULD, PASS)" in text
    assert "PRODUCT.yaml offline validation: FAILED" in text


def test_missing_result_is_an_error():
    r = reports.missing_result(catalog.requirement("gang_scheduling", "1.37"), "async job timed\nout")
    assert r["status"] == "error" and r["message"] == "no result: the check did not finish (async job timed out)"


def test_big_evidence_is_cut_in_junit_and_report_but_not_in_results_json():
    r = result("driver_runtime_management", "pass")
    r["evidence"] = {"s1": {"nodes": {"node-%04d" % i: {"driver": "580.95.5"} for i in range(1000)}}}
    junit = reports.junit_xml(RUN, [r])
    assert "more characters in results.json" in junit and len(junit) < 3 * reports.EVIDENCE_CHARS
    md = reports.report_md(RUN, [r])
    assert "more characters in results.json" in md and len(md) < 4 * reports.EVIDENCE_CHARS
    assert len(reports.results_json(RUN, [r])) > 30000
