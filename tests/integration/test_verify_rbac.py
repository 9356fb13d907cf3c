"""verify.yml run as ServiceAccounts bound to the shipped ClusterRoles (playbooks/files/rbac/).

A ServiceAccount token (TokenRequest API) goes into a kubeconfig next to the sim's CA, so the checks
see exactly the rights the ClusterRoles grant.
"""

from __future__ import annotations

import json

import pytest
import yaml

from tests.integration.verify_support import REPO, failed_tasks, labelled_namespaces, results, run_verify

pytestmark = pytest.mark.integration

NAMESPACE = "aiconf-rbac-test"  # deliberately not verifier-labelled: the sweep must leave it alone
ROLES = {name: yaml.safe_load((REPO / "playbooks" / "files" / "rbac" / ("verify-%s.yml" % name)).read_text())
         for name in ("passive", "active")}
# Only enough to make a scratch namespace: pod creation is then forbidden, so an active check errors
# after it created something, and cleanup must still remove it.
NAMESPACE_ONLY = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                  "metadata": {"name": "aiconf-test-namespace-only"},
                  "rules": [{"apiGroups": [""], "resources": ["namespaces"], "verbs": ["create", "delete"]}]}


@pytest.fixture(scope="module")
def accounts(sim, api, tmp_path_factory):
    """{name: kubeconfig path} for ServiceAccounts with: passive, passive+active, passive+namespace-only, nothing."""
    from kubernetes import client

    core, rbac = client.CoreV1Api(api), client.RbacAuthorizationV1Api(api)
    roles = dict(ROLES, namespace_only=NAMESPACE_ONLY)
    for role in roles.values():
        rbac.create_cluster_role(body=role)
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=NAMESPACE)))
    bindings = {"passive": ["passive"], "active": ["passive", "active"], "ns-only": ["passive", "namespace_only"],
                "none": []}
    admin = json.loads(sim.kubeconfig.read_text()) if sim.kubeconfig.read_text().lstrip().startswith("{") \
        else yaml.safe_load(sim.kubeconfig.read_text())
    configs, created_bindings = {}, []
    tmp = tmp_path_factory.mktemp("rbac")
    for account, role_keys in bindings.items():
        name = "verifier-" + account
        core.create_namespaced_service_account(NAMESPACE, {"metadata": {"name": name}})
        for key in role_keys:
            binding = "aiconf-test-%s-%s" % (account, key)
            rbac.create_cluster_role_binding(body={
                "metadata": {"name": binding},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                            "name": roles[key]["metadata"]["name"]},
                "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": NAMESPACE}]})
            created_bindings.append(binding)
        token = core.create_namespaced_service_account_token(
            name, NAMESPACE, {"spec": {"expirationSeconds": 3600}}).status.token
        config = {"apiVersion": "v1", "kind": "Config", "current-context": "sa",
                  "clusters": admin["clusters"],
                  "users": [{"name": name, "user": {"token": token}}],
                  "contexts": [{"name": "sa", "context": {"cluster": admin["clusters"][0]["name"], "user": name}}]}
        path = tmp / (account + ".kubeconfig")
        path.write_text(json.dumps(config))
        configs[account] = str(path)
    yield configs
    for binding in created_bindings:
        rbac.delete_cluster_role_binding(binding)
    for role in roles.values():
        rbac.delete_cluster_role(role["metadata"]["name"])
    core.delete_namespace(NAMESPACE)


def _statuses(out):
    return {r["id"]: (r["status"], r["message"]) for r in results(out)["results"]}


def test_passive_role_sees_what_admin_sees(sim, kubeconfig, accounts, tmp_path):
    base = {"verify_active": False, "verify_fail_on_must": False}
    admin_proc, admin_out = run_verify(tmp_path / "admin", dict(base, verify_kubeconfig=kubeconfig))
    sa_proc, sa_out = run_verify(tmp_path / "sa", dict(base, verify_kubeconfig=accounts["passive"]))
    assert admin_proc.returncode == 0, admin_proc.stdout[-3000:]
    assert sa_proc.returncode == 0, sa_proc.stdout[-3000:]
    sa = _statuses(sa_out)
    assert not [i for i, (_s, m) in sa.items() if "403" in m or "forbidden" in m.lower()]
    assert {i: s for i, (s, _m) in sa.items()} == {i: s for i, (s, _m) in _statuses(admin_out).items()}


def test_active_role_runs_an_active_check_and_cleans_up(sim, api, accounts, tmp_path):
    proc, out = run_verify(tmp_path, {"verify_kubeconfig": accounts["active"], "verify_fail_on_must": False,
                                      "verify_check_timeout": 60},
                           args=("--tags", "secure_accelerator_access"))
    assert proc.returncode == 0, proc.stdout[-3000:]
    (result,) = results(out)["results"]
    assert "403" not in result["message"], result
    assert result["status"] == "pass", result
    assert any(n.startswith("Namespace/aiconf-") for n in result["cleaned_up"]), result
    assert labelled_namespaces(api) == []


def test_check_that_errors_after_creating_still_cleans_up(sim, api, accounts, tmp_path):
    proc, out = run_verify(tmp_path, {"verify_kubeconfig": accounts["ns-only"], "verify_fail_on_must": False,
                                      "verify_check_timeout": 60},
                           args=("--tags", "secure_accelerator_access"))
    assert proc.returncode == 0, proc.stdout[-3000:]
    (result,) = results(out)["results"]
    assert result["status"] == "error" and "forbidden (403)" in result["message"], result
    assert any(n.startswith("Namespace/aiconf-") for n in result["cleaned_up"]), result
    assert labelled_namespaces(api) == []


def test_no_rights_gives_403_per_check_and_the_report_is_written(sim, accounts, tmp_path):
    proc, out = run_verify(tmp_path, {"verify_kubeconfig": accounts["none"], "verify_active": False,
                                      "verify_cleanup": True, "verify_fail_on_must": False})
    assert (out / "report.md").exists() and (out / "PRODUCT.yaml").exists(), proc.stdout[-3000:]
    statuses = _statuses(out)
    assert len(statuses) == 15
    assert not [i for i, (s, _m) in statuses.items() if s == "pass"]
    errors = {i: m for i, (s, m) in statuses.items() if s == "error"}
    assert errors and all("forbidden (403)" in m for m in errors.values()), errors
    # the final sweep cannot list namespaces either, and says so in one line
    assert "cleanup of verifier objects failed: forbidden (403)" in " ".join(proc.stdout.split())
    assert failed_tasks(proc.stdout) == 1
