"""Status reading of ai_inference: route parents, status writers, the test route's shape."""

import pytest

from ansible_collections.ai_conformance.rke2.plugins.module_utils.checks import ai_inference as check

pytestmark = pytest.mark.unit

CTRL = "traefik.io/gateway-controller"


def test_route_parent_status_only_from_our_controller_and_gateway():
    route = {"status": {"parents": [
        {"controllerName": "other.io/x", "parentRef": {"name": "inference"}, "conditions": []},
        {"controllerName": CTRL, "parentRef": {"name": "elsewhere"}, "conditions": []},
        {"controllerName": CTRL, "parentRef": {"name": "inference"},
         "conditions": [{"type": "Accepted", "status": "True"}]},
    ]}}
    parent = check.route_parent_status(route, CTRL)
    assert check.cond_true(parent["conditions"], "Accepted")
    assert check.route_parent_status({"status": {}}, CTRL) == {}


def test_status_writers_from_managed_fields():
    obj = {"metadata": {"managedFields": [{"manager": "kubectl", "operation": "Apply"},
                                          {"manager": "traefik", "operation": "Update", "subresource": "status"}]}}
    assert check.status_writers(obj) == ["traefik"]


class Ctx:
    labels = {"a": "b"}

    def setting(self, key, default=None):
        return default


def test_route_has_70_30_split_and_header_match():
    gateway, route = check.manifests(Ctx())[1:]
    assert gateway["spec"]["listeners"][0]["port"] == 8000
    rules = route["spec"]["rules"]
    assert rules[0]["matches"][0]["headers"][0]["name"] == "x-model"
    assert [b["weight"] for b in rules[1]["backendRefs"]] == [70, 30]
