# -*- coding: utf-8 -*-
"""Step/CheckResult, run_check, error descriptions, settings contract, connection options (pure logic)."""

from __future__ import annotations

import types

import pytest

from ansible_collections.ai_conformance.rke2.plugins.module_utils import checks, client, runner
from ansible_collections.ai_conformance.rke2.plugins.module_utils.context import CheckContext
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import (
    ERROR, FAIL, PASS, SKIP, CheckResult, Step, combine)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("statuses,expected", [
    ([PASS, SKIP], PASS), ([PASS, FAIL], FAIL), ([FAIL, ERROR, PASS], ERROR), ([SKIP], SKIP), ([], ERROR)])
def test_combine(statuses, expected):
    assert combine([Step("s%d" % i, s, "m") for i, s in enumerate(statuses)]) == expected


def test_step_rejects_unknown_status_and_empty_message():
    with pytest.raises(ValueError, match="unknown status"):
        Step("x", "ok", "m")
    with pytest.raises(ValueError, match="needs a message"):
        Step("x", SKIP, "  ")


def test_result_message_is_one_line_and_names_skips():
    r = CheckResult("gang_scheduling", "MUST", [Step("a", PASS, "jobs ran\ntogether"), Step("b", SKIP, "no GPU")])
    assert r.status == PASS and r.message == "jobs ran together (skipped: no GPU)"
    d = r.to_dict()
    assert d["evidence"] == {} and d["steps"][0]["name"] == "a" and d["cleaned_up"] == []


def test_result_without_steps_is_an_error():
    r = CheckResult("gang_scheduling", "MUST", [])
    assert r.status == ERROR and r.message == "no observation was made"


class _Ctx:
    """Stands in for CheckContext in run_check: records cleanup calls, fails cleanup on request."""

    def __init__(self, cleanup_error=None):
        self.requirement_id, self.level, self.cleanups = "gang_scheduling", "MUST", 0
        self.cleanup_error = cleanup_error

    def cleanup(self):
        self.cleanups += 1
        if self.cleanup_error:
            raise self.cleanup_error
        return ["Namespace/aiconf-x"]


def _with_check(monkeypatch, fn):
    monkeypatch.setitem(runner.CHECKS, "gang_scheduling", fn)


def test_run_check_turns_exceptions_into_errors_and_cleans_up(monkeypatch):
    def boom(ctx):
        raise KeyError("spec")

    _with_check(monkeypatch, boom)
    ctx = _Ctx()
    r = runner.run_check(ctx)
    assert r.status == ERROR and r.message == "KeyError: 'spec'"
    assert ctx.cleanups == 1 and r.cleaned_up == ["Namespace/aiconf-x"]


def test_run_check_reports_cleanup_failure(monkeypatch):
    _with_check(monkeypatch, lambda ctx: [Step("ok", PASS, "fine")])
    r = runner.run_check(_Ctx(cleanup_error=RuntimeError("etcd down")))
    assert r.status == ERROR and "cleanup failed: RuntimeError: etcd down" in r.message


def test_run_check_passes_steps_through(monkeypatch):
    _with_check(monkeypatch, lambda ctx: [Step("ok", PASS, "fine", {"n": 1})])
    r = runner.run_check(_Ctx())
    d = r.to_dict()
    assert r.status == PASS and d["evidence"] == {"ok": {"n": 1}} and r.duration_s >= 0
    assert d["steps"] == [{"name": "ok", "status": PASS, "message": "fine"}]


def test_describe_forbidden():
    from kubernetes.client.rest import ApiException

    exc = ApiException(status=403, reason="Forbidden")
    exc.body = '{"kind":"Status","message":"nodes is forbidden: User \\"system:serviceaccount:x:y\\" cannot list"}'
    assert runner.describe_exception(exc) == ('forbidden (403): the credentials lack RBAC permission: nodes is '
                                              'forbidden: User "system:serviceaccount:x:y" cannot list')


def test_describe_unreachable():
    from urllib3.connectionpool import HTTPSConnectionPool
    from urllib3.exceptions import MaxRetryError, NewConnectionError

    pool = HTTPSConnectionPool("127.0.0.1", 1)
    exc = MaxRetryError(pool, "/version", NewConnectionError(pool, "Failed to establish a new connection: "
                                                                   "[Errno 111] Connection refused"))
    assert runner.describe_exception(exc).startswith("cannot reach the API server at https://127.0.0.1:1:")
    assert "Connection refused" in runner.describe_exception(exc)


def test_context_refuses_writes_when_passive():
    ctx = CheckContext(object(), "gang_scheduling", "MUST", active=False)
    with pytest.raises(RuntimeError, match="scratch_namespace\\(\\) called by the gang_scheduling check while active"):
        ctx.scratch_namespace()
    with pytest.raises(RuntimeError, match="create\\(\\) called"):
        ctx.create({"apiVersion": "v1", "kind": "Pod"})
    assert ctx.cleanup() == []
    assert ctx.labels == {"ai-conformance.rke2/verifier": "true", "ai-conformance.rke2/verifier-run": ctx.run_id}


@pytest.fixture
def fake_check(monkeypatch):
    module = types.SimpleNamespace(ID="fake_check", run=lambda ctx: [],
                                   SETTINGS={"queue": ("default-queue", "queue name"), "jobs": (2, "job count")})
    monkeypatch.setitem(checks.MODULES, "fake_check", module)
    return module


def test_settings_defaults_and_overrides(fake_check):
    assert checks.settings_for("fake_check", None) == {"queue": "default-queue", "jobs": 2}
    assert checks.settings_for("fake_check", {"jobs": 3}) == {"queue": "default-queue", "jobs": 3}


def test_unknown_setting_names_the_valid_keys(fake_check):
    with pytest.raises(ValueError, match="unknown setting quue for check fake_check: valid keys are jobs, queue"):
        checks.settings_for("fake_check", {"quue": "x"})


def test_validate_settings(fake_check):
    checks.validate_settings({"fake_check": {"jobs": 1}}, ["fake_check", "gang_scheduling"])
    with pytest.raises(ValueError, match="settings given for unknown requirement id nope"):
        checks.validate_settings({"nope": {}}, ["fake_check"])
    with pytest.raises(ValueError, match="settings.fake_check must be a dict"):
        checks.validate_settings({"fake_check": "x"}, ["fake_check"])


def test_every_check_module_follows_the_contract():
    for check_id, module in checks.MODULES.items():
        assert module.ID == check_id and callable(module.run)
        for key, spec in (getattr(module, "SETTINGS", None) or {}).items():
            assert isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[1], str) and spec[1], (check_id, key)


def test_auth_params_env_fallbacks():
    env = {"K8S_AUTH_KUBECONFIG": "/k", "K8S_AUTH_CONTEXT": "c", "K8S_AUTH_VERIFY_SSL": "no"}
    got = client.auth_params({"kubeconfig": None, "context": None, "host": None, "api_key": None,
                              "validate_certs": None, "ca_cert": None}, env)
    assert (got["kubeconfig"], got["context"], got["validate_certs"]) == ("/k", "c", False)
    got = client.auth_params({"kubeconfig": "/explicit", "context": None}, env)
    assert got["kubeconfig"] == "/explicit"
    assert client.auth_params({}, {"KUBECONFIG": "/from-kubeconfig-env"})["kubeconfig"] == "/from-kubeconfig-env"


def test_api_client_errors_are_one_line(tmp_path):
    with pytest.raises(client.ClusterConnectionError, match="kubeconfig /nope does not exist"):
        client.api_client({"kubeconfig": "/nope"}, {})
    bad = tmp_path / "kubeconfig"
    bad.write_text("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n")
    with pytest.raises(client.ClusterConnectionError, match="cannot load kubeconfig .* \\(context ghost\\)"):
        client.api_client({"kubeconfig": str(bad), "context": "ghost"}, {})


def test_api_client_with_host_and_token():
    api = client.api_client({"host": "https://127.0.0.1:6443", "api_key": "t0ken", "validate_certs": False}, {})
    assert api.configuration.host == "https://127.0.0.1:6443"
    assert api.configuration.api_key == {"authorization": "Bearer t0ken"}
    assert api.configuration.verify_ssl is False


class _Response:
    def __init__(self, status, data):
        self.status, self.data = status, data

    def read(self):
        return self.data


class _Transport:
    """Stands in for ApiClient's transport layer: counts requests, answers 500 for /broken."""

    def __init__(self):
        self.calls, self.decodes = [], 0

    def call_api(self, method, url, header_params=None, body=None, post_params=None, _request_timeout=None):
        self.calls.append((method, url))
        return _Response(500 if "broken" in url else 200, b"{}")

    def response_deserialize(self, response_data, response_types_map=None):
        self.decodes += 1
        return object()


def test_read_cache_serves_repeated_gets_once():
    api = _Transport()
    calls = api.calls
    client.enable_read_cache(api)
    first = api.call_api("GET", "https://h/api/v1/nodes?limit=500", {"Accept": "json"})
    again = api.call_api("GET", "https://h/api/v1/nodes?limit=500", {"Accept": "json"})
    assert first is again and len(calls) == 1
    assert api.response_deserialize(first, {"200": "V1NodeList"}) is api.response_deserialize(again, {"200": "V1NodeList"})
    api.call_api("GET", "https://h/api/v1/nodes?limit=500&continue=x", {})  # another page: another request
    api.call_api("POST", "https://h/api/v1/namespaces", {})
    api.call_api("POST", "https://h/api/v1/namespaces", {})
    api.call_api("GET", "https://h/api/v1/namespaces/m/services/dcgm:9400/proxy/metrics", {})
    api.call_api("GET", "https://h/api/v1/namespaces/m/services/dcgm:9400/proxy/metrics", {})
    api.call_api("GET", "https://h/broken", {})
    api.call_api("GET", "https://h/broken", {})
    assert len(calls) == 8
