"""Helpers for the integration tests of the accelerator, networking and security checks.

Every check is called through runner.run_check(CheckContext(...)), the path the verify module takes.
Objects a test adds to a cluster are created for real and removed again by `added(...)`.
"""

from __future__ import annotations

import contextlib
import uuid

from kubernetes import client, dynamic
from kubernetes.client.rest import ApiException

from ansible_collections.ai_conformance.rke2.plugins.module_utils import runner
from ansible_collections.ai_conformance.rke2.plugins.module_utils.context import CheckContext


def run(api, check_id, settings=None, active=True, hosts=None, timeout=120):
    """The CheckResult of one check, via the runner (exceptions become error results, cleanup runs)."""
    return runner.run_check(CheckContext(api, check_id, "SHOULD", settings=settings or {}, active=active,
                                         timeout=timeout, hosts=hosts))


def statuses(result):
    return {s.name: s.status for s in result.steps}


def step(result, name):
    return next(s for s in result.steps if s.name == name)


@contextlib.contextmanager
def added(api, *manifests):
    """Create the manifests (in order), yield the created dicts, delete them again (reverse order)."""
    dyn = dynamic.DynamicClient(api)
    created = []
    try:
        for manifest in manifests:
            resource = dyn.resources.get(api_version=manifest["apiVersion"], kind=manifest["kind"])
            namespace = manifest["metadata"].get("namespace")
            obj = resource.create(body=manifest, namespace=namespace) if resource.namespaced \
                else resource.create(body=manifest)
            created.append((resource, manifest["metadata"]["name"], namespace))
            if "status" in manifest and manifest["kind"] not in ("Node",):
                # Status written by the test itself: a stand-in for a controller, named so in each test.
                body = dict(obj.to_dict(), status=manifest["status"])
                resource.status.replace(body=body, namespace=namespace) if resource.namespaced \
                    else resource.status.replace(body=body)
        yield created
    finally:
        for resource, name, namespace in reversed(created):
            try:
                resource.delete(name=name, namespace=namespace) if resource.namespaced else resource.delete(name=name)
            except ApiException as exc:
                if exc.status != 404:
                    raise


def namespace_manifest(prefix="it"):
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "%s-%s" % (prefix, uuid.uuid4().hex[:6])}}


def taint(api, node_name, taints):
    client.CoreV1Api(api).patch_node(node_name, {"spec": {"taints": taints}})


def wait_verifier_pods_gone(api, timeout=60):
    """Wait until pods of earlier check runs (verifier label) are gone: they still hold GPUs while terminating."""
    from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube
    from ansible_collections.ai_conformance.rke2.plugins.module_utils.context import VERIFIER_LABEL

    core = client.CoreV1Api(api)
    assert kube.wait_until(lambda: not core.list_pod_for_all_namespaces(label_selector=VERIFIER_LABEL).items,
                           timeout), "pods of an earlier check run are still there"


def wait_served(api, group_version, plural, timeout=30):
    from ansible_collections.ai_conformance.rke2.plugins.module_utils import kube

    assert kube.wait_until(lambda: plural in kube.served_resources(api, group_version), timeout), \
        "%s/%s not served within %ss" % (group_version, plural, timeout)


def go_module_yaml(module, version, path):
    """A YAML document shipped in a Go module (e.g. a CRD), fetched through the Go module proxy into
    GOMODCACHE; the test is skipped, with the reason, when the module cannot be downloaded."""
    import json
    import os
    import subprocess

    import pytest
    import yaml

    proc = subprocess.run(["go", "mod", "download", "-json", "%s@%s" % (module, version)], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, env=dict(os.environ, GOFLAGS=""), check=False)
    if proc.returncode != 0:
        pytest.skip("%s@%s not available (go mod download failed): %s" % (module, version, proc.stdout[-300:]))
    with open(os.path.join(json.loads(proc.stdout)["Dir"], path)) as handle:
        document = next(d for d in yaml.safe_load_all(handle) if d)
    document.pop("status", None)  # controller-gen output carries an empty status; the API server owns it
    return document
