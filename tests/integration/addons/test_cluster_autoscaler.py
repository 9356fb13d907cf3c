"""cluster-autoscaler (kwok provider) on a simulated cluster: the cluster_autoscaling check's full
round trip passes with it (pending GPU pod -> TriggeredScaleUp -> new node -> pod bound -> node removed)
and skips without an autoscaler, as designed (the requirement is conditional)."""

from __future__ import annotations

from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import PASS, SKIP

from tests.integration.addons.addon_support import run_check, statuses, step
from tests.sim.addons import cluster_autoscaler


def test_cluster_autoscaling_scales_a_gpu_group_up_and_back_down(addon_sim):
    api = addon_sim.api_client()
    before = cluster_autoscaler.autoscaled_nodes(addon_sim)
    result = run_check(api, "cluster_autoscaling", settings={"scale_up_timeout_s": 120,
                                                             "scale_down_timeout_s": 180})
    assert result.status == PASS, result.to_dict()
    assert statuses(result)["scale_up"] == PASS and statuses(result)["scale_down"] == PASS
    up = step(result, "scale_up").evidence
    assert up["new_node_group"] == cluster_autoscaler.NODE_GROUP
    assert up["simulated_node"] is True
    assert "triggered scale-up" in up["triggered_scale_up"], up  # the event message CA writes
    detected = step(result, "autoscaler").evidence
    assert cluster_autoscaler.NODE_GROUP in detected["status"]["node_groups"]
    assert cluster_autoscaler.autoscaled_nodes(addon_sim) == before


def test_cluster_autoscaling_skips_without_an_autoscaler(api):
    """The shared cluster runs no add-on: no Deployment and no status ConfigMap."""
    result = run_check(api, "cluster_autoscaling")
    assert result.status == SKIP and "no cluster autoscaler installed" in result.message
