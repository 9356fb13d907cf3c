"""Decision logic and manifests of gang_scheduling (no cluster)."""

import pytest

from ansible_collections.ai_conformance.rke2.plugins.module_utils.checks import gang_scheduling as check
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS

pytestmark = pytest.mark.unit

EST = {"established": True, "served": ["v1beta1"], "plural": "x"}


def test_crds_missing_or_not_established_fail():
    crds = {"clusterqueues.kueue.x-k8s.io": EST, "localqueues.kueue.x-k8s.io": dict(EST, established=False)}
    step = check.crd_step(check.KUEUE, crds, check.KUEUE_KINDS)
    assert step.status == FAIL
    assert "resourceflavors.kueue.x-k8s.io" in step.message and "localqueues.kueue.x-k8s.io" in step.message


def test_crds_all_established_pass():
    crds = {"%s.kueue.x-k8s.io" % k: EST for k in check.KUEUE_KINDS}
    assert check.crd_step(check.KUEUE, crds, check.KUEUE_KINDS).status == PASS


def deployment(ready):
    return {"metadata": {"namespace": "kueue-system", "name": "kueue-controller-manager"}, "spec": {"replicas": 1},
            "status": {"readyReplicas": ready}}


def test_controller_deployment_decides():
    assert check.controller_step([deployment(1)], {}, None).status == PASS
    assert check.controller_step([deployment(0)], {}, None).status == FAIL


def test_out_of_cluster_controller_needs_a_webhook_that_answers():
    hooks = {"mutatingwebhookconfigurations": ["kueue-mutating/mresourceflavor.kb.io"]}
    assert check.controller_step([], {}, (201, "")).status == FAIL  # no webhook: nothing proves a controller
    assert check.controller_step([], hooks, (201, "")).status == PASS
    step = check.controller_step([], hooks, (500, 'failed calling webhook "x": connection refused'))
    assert step.status == FAIL and "connection refused" in step.message


def test_manifests_quota_and_namespace():
    rf, cq, lq = check.kueue_manifests("kueue.x-k8s.io/v1beta1", "q", "ns1", 2)
    assert rf["kind"] == "ResourceFlavor" and cq["kind"] == "ClusterQueue" and lq["kind"] == "LocalQueue"
    assert cq["spec"]["namespaceSelector"] == {"matchLabels": {"kubernetes.io/metadata.name": "ns1"}}
    flavor = cq["spec"]["resourceGroups"][0]["flavors"][0]
    assert flavor == {"name": "q", "resources": [{"name": "nvidia.com/gpu", "nominalQuota": 2}]}
    assert lq["metadata"]["namespace"] == "ns1" and lq["spec"]["clusterQueue"] == "q"


def test_gang_job_is_suspended_and_queued():
    job = check.gang_job("g", "q", 3, {"a": "b"})
    assert job["metadata"]["labels"] == {"a": "b", "kueue.x-k8s.io/queue-name": "q"}
    assert job["spec"]["parallelism"] == job["spec"]["completions"] == 3 and job["spec"]["suspend"] is True
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"]["requests"] == {"nvidia.com/gpu": "1"}


def test_volcano_queue_and_gang():
    queue = check.volcano_queue("scheduling.volcano.sh/v1beta1", "q", 2)
    assert queue["spec"]["capability"] == {"nvidia.com/gpu": "2"} and queue["kind"] == "Queue"
    group, pods = check.volcano_gang("scheduling.volcano.sh/v1beta1", "g", "q", 3, {"a": "b"})
    assert group["spec"] == {"minMember": 3, "queue": "q", "minResources": {"nvidia.com/gpu": "3"}}
    assert [p["metadata"]["name"] for p in pods] == ["g-0", "g-1", "g-2"]
    for pod in pods:
        assert pod["metadata"]["annotations"] == {"scheduling.k8s.io/group-name": "g"}
        assert pod["metadata"]["labels"] == {"a": "b", "gang": "g"}
        assert pod["spec"]["schedulerName"] == "volcano"
        assert pod["spec"]["containers"][0]["resources"]["requests"] == {"nvidia.com/gpu": "1"}
