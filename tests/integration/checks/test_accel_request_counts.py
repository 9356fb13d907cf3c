"""The passive parts of the accelerator, networking and security checks make the same number of API
requests on 2 and on 302 GPU nodes (one paginated node list, no per-node calls)."""

import pytest

from tests.integration.checks.accel_support import run
from tests.sim import nodes

CHECKS = ("dra_support", "ai_inference", "secure_accelerator_access", "driver_runtime_management", "gpu_sharing",
          "virtualized_accelerator", "advanced_inference_ingress", "high_performance_networking",
          "disaggregated_inference", "workload_sandboxing")


def counted_requests(api, check_id):
    calls = []
    original = api.call_api

    def counting(method, url, *args, **kwargs):
        calls.append((method, url.split("?")[0]))
        return original(method, url, *args, **kwargs)

    api.call_api = counting
    try:
        result = run(api, check_id, active=False)
    finally:
        api.call_api = original
    assert result.status != "error", result.to_dict()
    return calls


@pytest.fixture(scope="module")
def cluster(sim_factory):
    return sim_factory("request-counts", gpu_nodes=2, gpus_per_node=1, dra=True)


def test_request_counts_do_not_grow_with_nodes(cluster):
    api = cluster.api_client()
    before = {c: counted_requests(api, c) for c in CHECKS}
    cluster.create_all([nodes.gpu_node_manifest("sim-extra-%03d" % i, 1) for i in range(300)])
    after = {c: counted_requests(api, c) for c in CHECKS}
    for check_id in CHECKS:
        assert before[check_id], check_id  # the counter sees the check's requests
        print("%s: %d requests" % (check_id, len(after[check_id])))
        assert len(after[check_id]) == len(before[check_id]), (check_id, before[check_id], after[check_id])
