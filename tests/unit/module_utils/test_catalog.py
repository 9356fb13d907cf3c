# -*- coding: utf-8 -*-
"""The catalog is the CNCF templates, byte for byte in every field we copy."""

from __future__ import annotations

import pathlib

import pytest
import yaml

from ansible_collections.ai_conformance.rke2.plugins.module_utils import catalog

pytestmark = pytest.mark.unit

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "checklists"


def _template(version):
    return yaml.safe_load((FIXTURES / ("AIConformance-%s.yaml" % version)).read_text())


@pytest.mark.parametrize("version", catalog.VERSIONS)
def test_catalog_equals_template(version):
    template = _template(version)
    expected = {cat: [(r["id"], r["level"], r["description"]) for r in items]
                for cat, items in template["spec"].items()}
    got = {}
    for entry in catalog.checklist(version):
        got.setdefault(entry["category"], []).append((entry["id"], entry["level"], entry["description"]))
    assert got == expected
    assert list(got) == list(template["spec"])  # category order as in the template
    assert list(template["metadata"]) == list(catalog.TEMPLATE_METADATA[version])
    assert template["metadata"]["kubernetesVersion"] == "v" + version


def test_fixtures_cover_exactly_the_catalog_versions():
    assert sorted(p.name for p in FIXTURES.glob("*.yaml")) == ["AIConformance-%s.yaml" % v for v in catalog.VERSIONS]


def test_counts_match_the_reference_table():
    counts = {v: (len(catalog.checklist(v)), sum(e["level"] == "MUST" for e in catalog.checklist(v)))
              for v in catalog.VERSIONS}
    assert counts == {"1.33": (9, 8), "1.34": (9, 9), "1.35": (12, 9), "1.36": (14, 8), "1.37": (15, 8)}


def test_typo_is_kept_in_137_only():
    assert "makes they available" in catalog.requirement("accelerator_metrics", "1.37")["description"]
    assert "makes them available" in catalog.requirement("accelerator_metrics", "1.36")["description"]


def test_upstream_junit_names():
    names = {r["id"]: r["junit_name"] for r in catalog.REQUIREMENTS if r["upstream_test"]}
    assert names == {
        "secure_accelerator_access": "TestSecureAcceleratorAccess",
        "gang_scheduling": "TestGangScheduling",
        "cluster_autoscaling": "TestAcceleratorClusterAutoscaling",
        "driver_runtime_management": "TestAcceleratorDriverRuntimeManagement",
        "accelerator_metrics": "TestAcceleratorPerformanceMetrics",
        "ai_service_metrics": "TestAIServiceMetrics",
        "robust_controller": "TestRobustCRDControllerOperation",
        "workload_sandboxing": "TestWorkloadSandboxing",
    }
    all_names = [r["junit_name"] for r in catalog.REQUIREMENTS]
    assert len(set(all_names)) == len(all_names)


@pytest.mark.parametrize("given,expected", [("1.37", "1.37"), ("v1.35", "1.35"), ("v1.36.2+rke2r1", "1.36")])
def test_normalize_version(given, expected):
    assert catalog.normalize_version(given) == expected


@pytest.mark.parametrize("bad", ["1.32", "1.38", "banana", ""])
def test_unknown_version_names_the_known_ones(bad):
    with pytest.raises(catalog.CatalogError, match=r"unknown checklist version .*1\.33, 1\.34, 1\.35, 1\.36, 1\.37"):
        catalog.normalize_version(bad)


@pytest.mark.parametrize("major,minor,expected", [("1", "37", "1.37"), ("1", "35+", "1.35"), ("1", "39", "1.37")])
def test_version_for_server(major, minor, expected):
    assert catalog.version_for_server(major, minor) == expected


def test_version_for_old_server_is_an_error():
    with pytest.raises(catalog.CatalogError, match="older than the oldest checklist"):
        catalog.version_for_server("1", "31")


def test_select_keeps_checklist_order_and_dedups():
    ids = [e["id"] for e in catalog.select("1.37", ["robust_controller", "gang_scheduling", "gang_scheduling"])]
    assert ids == ["gang_scheduling", "robust_controller"]
    assert len(catalog.select("1.37")) == 15


def test_select_unknown_id():
    with pytest.raises(catalog.CatalogError, match="unknown requirement id nope: checklist 1.37 has driver_runtime"):
        catalog.select("1.37", ["nope"])


def test_select_id_from_another_version():
    with pytest.raises(catalog.CatalogError, match="dra_support is not part of checklist 1.37"):
        catalog.select("1.37", ["dra_support"])
