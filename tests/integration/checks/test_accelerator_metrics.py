"""accelerator_metrics against the simulated cluster's real API server.

Without an exporter the check fails. The passing state uses a TEST FIXTURE endpoint (127.0.0.1, canned
DCGM-format text) behind an ExternalName Service: it proves discovery, transport and parsing, not a
real DCGM exporter; the stand-in exporter run with the real add-ons is the add-ons engineer's test.
"""

import pytest
from kubernetes import client

from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS, SKIP

from tests.integration.checks.accel_support import run, statuses, step
from tests.integration.checks.observability_fixtures import (
    external_name_service, fixture_http_server, scratch_namespace)

FIXTURE = """# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).
# TYPE DCGM_FI_DEV_GPU_UTIL gauge
DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-0000",Hostname="fixture-node",pod=""} 37
DCGM_FI_DEV_GPU_UTIL{gpu="1",UUID="GPU-0001",Hostname="fixture-node",pod=""} 0
# HELP DCGM_FI_DEV_FB_USED Framebuffer memory used (in MiB).
# TYPE DCGM_FI_DEV_FB_USED gauge
DCGM_FI_DEV_FB_USED{gpu="0",UUID="GPU-0000",Hostname="fixture-node"} 1952
DCGM_FI_DEV_FB_USED{gpu="1",UUID="GPU-0001",Hostname="fixture-node"} 0
"""
TEXT = "text/plain; version=0.0.4"


@pytest.fixture
def namespace(api):
    with scratch_namespace(api, "it-accel-metrics") as name:
        yield name


def test_no_exporter_service_fails(api):
    result = run(api, "accelerator_metrics", active=False)
    assert result.status == FAIL
    assert "no accelerator metrics exporter Service found" in result.message
    assert "app=nvidia-dcgm-exporter" in result.message


def test_fixture_endpoint_behind_external_name_service_passes(api, namespace):
    with fixture_http_server({"/metrics": (TEXT, FIXTURE)}) as server:
        client.CoreV1Api(api).create_namespaced_service(namespace, external_name_service(
            namespace, "nvidia-dcgm-exporter", server.server_port, labels={"app": "nvidia-dcgm-exporter"}))
        result = run(api, "accelerator_metrics", settings={"exporter_service": namespace + "/nvidia-dcgm-exporter"})
    assert statuses(result) == {"endpoint": PASS, "utilization": PASS, "memory": PASS,
                                "temperature": SKIP, "power": SKIP}, result.to_dict()
    assert result.status == PASS
    assert step(result, "utilization").evidence["devices"] == [
        "host=fixture-node,gpu=0,UUID=GPU-0000", "host=fixture-node,gpu=1,UUID=GPU-0001"]
    via = step(result, "endpoint").evidence["via"]
    # The API server's service proxy cannot reach an ExternalName Service; the check says it went direct.
    assert via.startswith("direct http://127.0.0.1:%d/metrics" % server.server_port) and "refused" in via
    assert server.requests == ["/metrics"]
    assert "STAND-IN" not in result.message


def test_endpoint_without_memory_series_fails(api, namespace):
    only_util = "\n".join(line for line in FIXTURE.splitlines() if "FB_USED" not in line) + "\n"
    with fixture_http_server({"/metrics": (TEXT, only_util)}) as server:
        client.CoreV1Api(api).create_namespaced_service(namespace, external_name_service(
            namespace, "dcgm", server.server_port))
        result = run(api, "accelerator_metrics", settings={"exporter_service": namespace + "/dcgm"})
    assert result.status == FAIL
    assert statuses(result)["memory"] == FAIL and "DCGM_FI_DEV_FB_USED or DCGM_FI_DEV_FB_FREE" in result.message


def test_endpoint_that_is_not_prometheus_text_fails(api, namespace):
    with fixture_http_server({"/metrics": ("text/html", "<html><body>login</body></html>")}) as server:
        client.CoreV1Api(api).create_namespaced_service(namespace, external_name_service(
            namespace, "dcgm", server.server_port))
        result = run(api, "accelerator_metrics", settings={"exporter_service": namespace + "/dcgm"})
    assert result.status == FAIL and "not return the Prometheus text format" in result.message


def test_unreachable_endpoint_fails_naming_it(api, namespace):
    with fixture_http_server({}) as server:
        port = server.server_port
    # the server is closed now: nothing listens on the port
    client.CoreV1Api(api).create_namespaced_service(namespace, external_name_service(namespace, "dcgm", port))
    result = run(api, "accelerator_metrics", settings={"exporter_service": namespace + "/dcgm"})
    assert result.status == FAIL and "could not read metrics from Service %s/dcgm" % namespace in result.message


def test_stand_in_marking_is_reported(api, namespace):
    marked = FIXTURE.replace("GPU utilization (in %).", "GPU utilization (in %). [STAND-IN: simulated]")
    with fixture_http_server({"/metrics": (TEXT, marked)}) as server:
        client.CoreV1Api(api).create_namespaced_service(namespace, external_name_service(
            namespace, "dcgm", server.server_port))
        result = run(api, "accelerator_metrics", settings={"exporter_service": namespace + "/dcgm"})
    assert result.status == PASS
    assert "STAND-IN" in step(result, "endpoint").message and step(result, "endpoint").evidence["stand_in"]


def test_static_endpoint_does_not_follow_workload_load(api, namespace):
    """Active with a load driver: canned text never attributes a series to the check's GPU pod -> fail."""
    with fixture_http_server({"/metrics": (TEXT, FIXTURE)}) as server:
        client.CoreV1Api(api).create_namespaced_service(namespace, external_name_service(
            namespace, "dcgm", server.server_port))
        result = run(api, "accelerator_metrics", settings={"exporter_service": namespace + "/dcgm",
                                                           "metric_driver": "annotation", "change_timeout_s": 6})
    assert statuses(result)["utilization_follows_load"] == FAIL, result.to_dict()
    assert "no utilization series attributed to GPU pod" in result.message
    assert result.cleaned_up


def test_stand_in_exporter_follows_workload_load(sim_factory):
    """The sim's STAND-IN DCGM exporter add-on (Python, no build) attributes the check's GPU pod and follows
    the load its annotation asks for: the active step passes, and the result names the stand-in."""
    cluster = sim_factory("dcgm-standin", gpu_nodes=2, gpus_per_node=1, dra=False, addons=["dcgm-exporter"])
    result = run(cluster.api_client(), "accelerator_metrics", settings={"metric_driver": "annotation",
                                                                        "load_percent": 70})
    assert result.status == PASS, result.to_dict()
    follows = step(result, "utilization_follows_load")
    assert follows.status == PASS and follows.evidence["before"] == [0.0] and follows.evidence["after"] == [70.0]
    assert "STAND-IN" in result.message
