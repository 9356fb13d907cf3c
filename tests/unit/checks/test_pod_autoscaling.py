"""Decision logic and manifests of pod_autoscaling (no cluster)."""

import pytest

from ansible_collections.ai_conformance.rke2.plugins.module_utils.checks import pod_autoscaling as check
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS, SKIP

pytestmark = pytest.mark.unit


def apiservice(status, reason="Passed", message="all checks passed"):
    return {"spec": {"service": {"namespace": "monitoring", "name": "prometheus-adapter"}},
            "status": {"conditions": [{"type": "Available", "status": status, "reason": reason, "message": message}]}}


def test_no_apiservice_fails():
    step = check.apiservice_step({name: None for name in check.APISERVICES})
    assert step.status == FAIL and "v1beta1.custom.metrics.k8s.io" in step.message


def test_unavailable_apiservice_fails_with_reason():
    down = apiservice("False", "FailedDiscoveryCheck", "connection refused")
    step = check.apiservice_step({"v1beta1.custom.metrics.k8s.io": down})
    assert step.status == FAIL and "FailedDiscoveryCheck" in step.message


def test_available_external_metrics_pass():
    step = check.apiservice_step({"v1beta1.custom.metrics.k8s.io": None,
                                  "v1beta1.external.metrics.k8s.io": apiservice("True")})
    assert step.status == PASS and "external" in step.message


def deployment(ns, name, gpus):
    resources = {"limits": {"nvidia.com/gpu": str(gpus)}} if gpus else {}
    return {"metadata": {"namespace": ns, "name": name},
            "spec": {"template": {"spec": {"containers": [{"name": "c", "resources": resources}]}}}}


def hpa_obj(ns, name, target, metric_type, active):
    metric = {"type": metric_type}
    metric[metric_type.lower()] = {"metric": {"name": "gpu_utilization"}} if metric_type != "Resource" else {
        "name": "cpu"}
    return {"metadata": {"namespace": ns, "name": name},
            "spec": {"scaleTargetRef": {"kind": "Deployment", "name": target}, "metrics": [metric]},
            "status": {"conditions": [{"type": "ScalingActive", "status": active, "message": "m"}]}}


def test_only_custom_metric_hpas_on_gpu_deployments_count():
    deployments = [deployment("a", "gpu", 1), deployment("a", "cpu", 0)]
    hpas = [hpa_obj("a", "h1", "gpu", "Pods", "True"), hpa_obj("a", "h2", "cpu", "Pods", "True"),
            hpa_obj("a", "h3", "gpu", "Resource", "True"), hpa_obj("b", "h4", "gpu", "Object", "True")]
    found = check.gpu_hpas(hpas, deployments)
    assert [f[0] for f in found] == ["a/h1"] and found[0][1] == ["gpu_utilization"]


def test_existing_hpa_step():
    good = [("a/h", ["gpu_utilization"], {"status": "True"})]
    bad = [("a/h", ["gpu_utilization"], {"status": "False", "message": "unable to get metric"})]
    assert check.existing_hpa_step(good, False).status == PASS
    assert check.existing_hpa_step(bad, False).status == FAIL
    assert check.existing_hpa_step(bad, True).status == SKIP
    assert check.existing_hpa_step([], False).status == FAIL
    assert check.existing_hpa_step([], True).status == SKIP


def test_workload_and_hpa_manifests():
    dep = check.workload("w", {"l": "1"}, "img", "load/anno")
    template = dep["spec"]["template"]
    assert template["metadata"]["annotations"] == {"load/anno": "0"}
    assert template["spec"]["containers"][0]["resources"]["requests"] == {"nvidia.com/gpu": "1"}
    assert template["spec"]["volumes"][0]["downwardAPI"]["items"][0]["fieldRef"]["fieldPath"] == "metadata.annotations"
    assert template["spec"]["restartPolicy"] == "Always"
    assert dep["spec"]["selector"]["matchLabels"] == {"app": "w"} and template["metadata"]["labels"]["app"] == "w"
    h = check.hpa("w", "gpu_utilization", "50", 2)
    assert h["spec"]["metrics"][0] == {"type": "Pods", "pods": {"metric": {"name": "gpu_utilization"},
                                                                "target": {"type": "AverageValue", "averageValue": "50"}}}
    assert h["spec"]["maxReplicas"] == 2 and h["spec"]["scaleTargetRef"]["name"] == "w"
