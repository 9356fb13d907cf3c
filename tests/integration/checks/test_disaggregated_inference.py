"""disaggregated_inference against the simulated cluster: prefill/decode pods by llm-d and Dynamo labels."""

from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS

from tests.integration.checks.accel_support import added, namespace_manifest, run


def role_pod(namespace, name, key, role):
    pod = kube.pause_pod(name, {key: role}, tolerations=kube.DEFAULT_TOLERATIONS)
    pod["metadata"]["namespace"] = namespace
    return pod


def wait_running(api, namespace, count):
    from kubernetes import client

    core = client.CoreV1Api(api)
    assert kube.wait_until(lambda: sum(p.status.phase == "Running" for p in core.list_namespaced_pod(namespace).items)
                           >= count, 30)


def test_no_role_pods_fails(api):
    result = run(api, "disaggregated_inference")
    assert result.status == FAIL and "no Running pod labelled prefill or decode" in result.message


def test_prefill_and_decode_pods_pass(api):
    ns = namespace_manifest("llmd")
    name = ns["metadata"]["name"]
    with added(api, ns, role_pod(name, "prefill-0", "llm-d.ai/role", "prefill"),
               role_pod(name, "decode-0", "llm-d.ai/role", "decode")):
        wait_running(api, name, 2)
        result = run(api, "disaggregated_inference")
    assert result.status == PASS
    assert "namespace %s by llm-d.ai/role: 1 prefill, 1 decode" % name in result.message


def test_only_decode_fails(api):
    ns = namespace_manifest("dynamo")
    name = ns["metadata"]["name"]
    with added(api, ns, role_pod(name, "decode-0", "nvidia.com/dynamo-sub-component-type", "decode")):
        wait_running(api, name, 1)
        result = run(api, "disaggregated_inference")
    assert result.status == FAIL and "only one role Running" in result.message
