"""InferencePool status reading of advanced_inference_ingress (v1 and v1alpha2 shapes)."""

import pytest

from ansible_collections.ai_conformance.rke2.plugins.module_utils.checks import advanced_inference_ingress as check

pytestmark = pytest.mark.unit


def test_v1_parents_and_v1alpha2_parent():
    v1 = {"status": {"parents": [{"parentRef": {"name": "gw"}, "conditions": [{"type": "Accepted", "status": "True"}]}]}}
    alpha = {"status": {"parent": [{"parentRef": {"name": "gw2"}, "conditions": [{"type": "Accepted", "status": "True"}]}]}}
    assert check.accepted_by(v1) == ["gw"]
    assert check.accepted_by(alpha) == ["gw2"]


def test_unaccepted_pool():
    pool = {"status": {"parents": [{"parentRef": {"name": "gw"}, "conditions": [{"type": "Accepted", "status": "False"}]}]}}
    assert check.accepted_by(pool) == [] and check.accepted_by({}) == []
