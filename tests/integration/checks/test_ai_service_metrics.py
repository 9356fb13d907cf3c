"""ai_service_metrics against the simulated cluster's real API server.

No Prometheus -> fail. The other states run the REAL Prometheus server (the binary the sim's prometheus
add-on builds) as a local process behind an ExternalName Service, scraping itself and a TEST FIXTURE
workload endpoint (127.0.0.1, canned inference-server metrics in the exposition format). Discovery here
is a static scrape config, as in the sim's prometheus add-on (no pods run code on kwok nodes).
"""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request

import pytest
from kubernetes import client

from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS

from tests.integration.checks.accel_support import run, statuses, step
from tests.integration.checks.observability_fixtures import (
    external_name_service, fixture_http_server, scratch_namespace)

WORKLOAD_METRICS = """# HELP ai_conformance_inference_requests_total Requests served (test fixture).
# TYPE ai_conformance_inference_requests_total counter
ai_conformance_inference_requests_total{model="fixture"} 10
# HELP ai_conformance_inference_queue_depth Requests waiting (test fixture).
# TYPE ai_conformance_inference_queue_depth gauge
ai_conformance_inference_queue_depth{model="fixture"} 2
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prometheus_binary():
    """The Prometheus server the sim's prometheus add-on runs (built from its Go module, cached)."""
    from tests.sim.addons import prometheus

    return prometheus.build()


def query(port, promql):
    url = "http://127.0.0.1:%d/api/v1/query?%s" % (port, urllib.parse.urlencode({"query": promql}))
    with urllib.request.urlopen(url, timeout=3) as resp:
        return json.loads(resp.read())["data"]["result"]


@pytest.fixture(scope="module")
def prometheus(api, tmp_path_factory):
    """Real Prometheus scraping itself (job prometheus) and the fixture workload (job inference-stub)."""

    binary = prometheus_binary()
    work = tmp_path_factory.mktemp("prometheus")
    with fixture_http_server({"/metrics": ("text/plain; version=0.0.4", WORKLOAD_METRICS)}) as workload, \
            scratch_namespace(api, "it-monitoring") as namespace:
        port = free_port()
        config = {"global": {"scrape_interval": "1s"}, "scrape_configs": [
            {"job_name": "prometheus", "static_configs": [{"targets": ["127.0.0.1:%d" % port]}]},
            {"job_name": "inference-stub", "static_configs": [
                {"targets": ["127.0.0.1:%d" % workload.server_port], "labels": {"namespace": "ml-serving"}}]}]}
        (work / "prometheus.yml").write_text(json.dumps(config))
        with open(work / "prometheus.log", "wb") as log:
            proc = subprocess.Popen([str(binary), "--config.file=%s" % (work / "prometheus.yml"),
                                     "--storage.tsdb.path=%s" % (work / "data"),
                                     "--web.listen-address=127.0.0.1:%d" % port, "--log.level=warn"],
                                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if len(query(port, "up == 1")) == 2:
                        break
                except OSError:
                    pass
                assert proc.poll() is None, (work / "prometheus.log").read_text()[-2000:]
                assert time.monotonic() < deadline, "Prometheus did not scrape both targets in 60 s"
                time.sleep(0.5)
            client.CoreV1Api(api).create_namespaced_service(namespace, external_name_service(
                namespace, "prometheus", port, labels={"app.kubernetes.io/name": "prometheus"}, port_name="web"))
            yield namespace + "/prometheus"
        finally:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)


def test_no_prometheus_fails(api):
    result = run(api, "ai_service_metrics", settings={"prometheus_service": "monitoring-absent/prometheus"})
    assert result.status == FAIL and "no Prometheus found (looked for monitoring-absent/prometheus)" in result.message


def test_no_prometheus_anywhere_fails(api):
    result = run(api, "ai_service_metrics")
    assert result.status == FAIL, result.to_dict()
    assert "no Prometheus found" in result.message and "app.kubernetes.io/name=prometheus" in result.message


def test_workload_target_scraped_by_real_prometheus_passes(api, prometheus):
    result = run(api, "ai_service_metrics", settings={"prometheus_service": prometheus})
    assert statuses(result) == {"prometheus": PASS, "workload_target": PASS, "workload_metrics": PASS}, result.to_dict()
    assert "job=inference-stub" in step(result, "workload_target").message
    metrics = step(result, "workload_metrics").evidence["metrics"]
    assert "ai_conformance_inference_requests_total" in metrics and "ai_conformance_inference_queue_depth" in metrics
    assert "up" not in metrics
    targets = {t["job"]: t for t in step(result, "workload_target").evidence["targets"]}
    assert targets["prometheus"]["infrastructure"] is True and targets["inference-stub"]["infrastructure"] is False
    assert step(result, "prometheus").evidence["via"].startswith("direct http://127.0.0.1:")
    assert step(result, "workload_target").evidence["discovered_by"] == "static or other configuration (job inference-stub)"


def test_only_infrastructure_targets_fail(api, prometheus):
    result = run(api, "ai_service_metrics", settings={"prometheus_service": prometheus,
                                                      "infrastructure_jobs": "prometheus|inference"})
    assert statuses(result) == {"prometheus": PASS, "workload_target": FAIL}, result.to_dict()
    assert "no healthy scrape target outside the monitoring stack" in result.message
    assert "prometheus up" in result.message and "inference-stub up" in result.message


def test_workload_namespace_excluded_fails(api, prometheus):
    result = run(api, "ai_service_metrics", settings={"prometheus_service": prometheus,
                                                      "exclude_namespaces": ["ml-serving"]})
    assert statuses(result)["workload_target"] == FAIL


def test_workload_metric_query(api, prometheus):
    ok = run(api, "ai_service_metrics", settings={"prometheus_service": prometheus,
                                                  "workload_metric": "ai_conformance_inference_queue_depth"})
    assert statuses(ok) == {"prometheus": PASS, "workload_metrics": PASS}, ok.to_dict()
    missing = run(api, "ai_service_metrics", settings={"prometheus_service": prometheus,
                                                       "workload_metric": "vllm:num_requests_running"})
    assert missing.status == FAIL and "query vllm:num_requests_running returned no samples" in missing.message
