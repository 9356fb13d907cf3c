#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: conformance_cleanup
short_description: Delete everything the AI conformance checks left behind
version_added: 0.1.0
description:
  - Deletes every namespace labelled C(ai-conformance.rke2/verifier=true) and, with O(cluster_scoped=true),
    every cluster-scoped object carrying that label (found through API discovery), then waits until they are gone.
  - Active checks already delete what they create; this is the safety net verify.yml runs in its C(always)
    section, so nothing labelled remains even when a check or the play fails.
  - Idempotent; reports changed only when it deleted something.
author:
  - ai_conformance.rke2 contributors (@ai-conformance)
extends_documentation_fragment:
  - ai_conformance.rke2.cluster_auth
attributes:
  check_mode:
    support: full
    description: Lists what would be deleted; deletes nothing.
  diff_mode:
    support: none
    description: Deletions are listed in RV(deleted) instead.
options:
  run_id:
    description:
      - Only delete objects of this verify run (label C(ai-conformance.rke2/verifier-run)). Default is every run.
    type: str
  cluster_scoped:
    description:
      - Also sweep cluster-scoped resource types (about one list request per type) for labelled objects.
    type: bool
    default: true
  wait:
    description:
      - Wait until the deleted namespaces are gone.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait with O(wait=true); the module fails naming what is left when they pass.
    type: int
    default: 120
"""

EXAMPLES = r"""
- name: Remove every verifier namespace and labelled object
  ai_conformance.rke2.conformance_cleanup:
    kubeconfig: /etc/rancher/rke2/rke2.yaml

- name: Only this run's objects, no waiting
  ai_conformance.rke2.conformance_cleanup:
    run_id: "{{ verify_run_id }}"
    wait: false
"""

RETURN = r"""
deleted:
  description: What was deleted (or would be in check mode), as C(Kind/name).
  returned: success
  type: list
  elements: str
  sample: [Namespace/aiconf-gang-scheduling-1a2b3c4d, ClusterQueue/aiconf-1a2b3c4d]
remaining:
  description: Labelled namespaces still present when the module returned (terminating ones without O(wait)).
  returned: success
  type: list
  elements: str
"""

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ai_conformance.rke2.plugins.module_utils.client import AUTH_ARG_SPEC, connect
from ansible_collections.ai_conformance.rke2.plugins.module_utils.context import VERIFIER_LABEL
from ansible_collections.ai_conformance.rke2.plugins.module_utils.kube import get_json, list_all, raw_request
from ansible_collections.ai_conformance.rke2.plugins.module_utils.runner import describe_exception


def _selector(run_id):
    return VERIFIER_LABEL + "-run=" + run_id if run_id else VERIFIER_LABEL + "=true"


def _cluster_scoped_types(api):
    """(group_version, plural, kind) of every cluster-scoped type that can be listed and deleted."""
    from kubernetes.client.rest import ApiException

    group_versions = ["v1"] + [g["preferredVersion"]["groupVersion"]
                               for g in get_json(api, "/apis").get("groups", [])]
    types = []
    for gv in group_versions:
        try:
            doc = get_json(api, "/api/v1" if gv == "v1" else "/apis/" + gv)
        except ApiException as exc:
            if exc.status in (404, 503):  # an aggregated API that is down has nothing of ours
                continue
            raise
        for res in doc.get("resources", []):
            verbs = set(res.get("verbs") or [])
            if (not res.get("namespaced") and "/" not in res["name"] and {"list", "delete"} <= verbs
                    and res["name"] != "namespaces"):
                types.append((gv, res["name"], res["kind"]))
    return types


def _labelled_cluster_objects(api, selector):
    from kubernetes.client.rest import ApiException

    found = []
    for gv, plural, kind in _cluster_scoped_types(api):
        base = ("/api/v1/" if gv == "v1" else "/apis/%s/" % gv) + plural
        try:
            items = get_json(api, base, {"labelSelector": selector}).get("items", [])
        except ApiException as exc:
            if exc.status in (403, 404, 405, 503):  # not ours to see or not served: nothing to clean there
                continue
            raise
        found.extend((base, kind, item["metadata"]["name"]) for item in items)
    return found


def main():
    module = AnsibleModule(
        argument_spec=dict(
            AUTH_ARG_SPEC,
            run_id=dict(type="str"),
            cluster_scoped=dict(type="bool", default=True),
            wait=dict(type="bool", default=True),
            timeout=dict(type="int", default=120),
        ),
        supports_check_mode=True,
    )
    from kubernetes import client
    from kubernetes.client.rest import ApiException

    api = connect(module)
    selector = _selector(module.params["run_id"])
    core = client.CoreV1Api(api)
    deleted = []
    try:
        cluster_objects = _labelled_cluster_objects(api, selector) if module.params["cluster_scoped"] else []
        for base, kind, name in cluster_objects:
            deleted.append("%s/%s" % (kind, name))
            if not module.check_mode:
                try:
                    raw_request(api, "DELETE", base + "/" + name)
                except ApiException as exc:
                    if exc.status != 404:
                        raise
        namespaces = [ns.metadata.name for ns in list_all(core.list_namespace, label_selector=selector)]
        for name in namespaces:
            if module.check_mode:
                deleted.append("Namespace/" + name)
                continue
            try:
                core.delete_namespace(name, propagation_policy="Background")
                deleted.append("Namespace/" + name)
            except ApiException as exc:
                if exc.status != 404:
                    raise
        remaining = [ns.metadata.name for ns in list_all(core.list_namespace, label_selector=selector)]
        deadline = time.monotonic() + module.params["timeout"]
        while remaining and module.params["wait"] and not module.check_mode and time.monotonic() < deadline:
            time.sleep(1)
            remaining = [ns.metadata.name for ns in list_all(core.list_namespace, label_selector=selector)]
    except Exception as exc:
        module.fail_json(msg="cleanup of verifier objects failed: " + describe_exception(exc), deleted=deleted)
    if remaining and module.params["wait"] and not module.check_mode:
        module.fail_json(msg="verifier namespaces still present after %d s: %s"
                         % (module.params["timeout"], ", ".join(remaining)), deleted=deleted, remaining=remaining)
    module.exit_json(changed=bool(deleted), deleted=deleted, remaining=remaining)


if __name__ == "__main__":
    main()
