#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: conformance_check
short_description: Run AI conformance requirement checks against a cluster
version_added: 0.1.0
description:
  - Runs the check of each requirement id in O(requirements) and returns one result per id with status
    V(pass), V(fail), V(skip) or V(error), the requirement level, a one-line message and the evidence observed.
  - Passive checks only read. Active checks (O(active=true)) create workloads in fresh namespaces labelled
    C(ai-conformance.rke2/verifier=true), bounded by O(timeout), and delete them when the check ends,
    also when it errors.
  - In a passive run (O(active=false) or check mode) identical GET requests of the checks are answered from
    one snapshot, so each distinct list reaches the API server once per call.
  - One failing check never stops the others; an exception or an API error (for example 403 from RBAC)
    becomes an V(error) result naming it.
  - Settings are validated against each check's declared settings before anything runs.
author:
  - ai_conformance.rke2 contributors (@ai-conformance)
extends_documentation_fragment:
  - ai_conformance.rke2.cluster_auth
attributes:
  check_mode:
    support: full
    description: Runs the passive part of every check only; active checks are turned off, nothing is created.
  diff_mode:
    support: none
    description: Changes nothing that persists, so there is nothing to diff.
options:
  requirements:
    description:
      - Requirement ids to check, for example V(gang_scheduling).
      - Every id must be part of O(checklist_version).
    type: list
    elements: str
    required: true
  checklist_version:
    description:
      - Checklist version the ids and levels come from (V(1.33) to V(1.37)). Use M(ai_conformance.rke2.conformance_info)
        to pick it from the server version.
    type: str
    required: true
  active:
    description:
      - Run the active parts of the checks (create pods, jobs and other objects in scratch namespaces).
      - V(false) runs read-only checks; parts that need a workload are then skipped with the reason.
    type: bool
    default: true
  timeout:
    description:
      - Seconds each active check may wait for the cluster (pods scheduled, jobs admitted, ...).
    type: int
    default: 300
  settings:
    description:
      - "Per-check settings, keyed by requirement id, for example C({gang_scheduling: {gang_size: 2}})."
      - Keys a check does not declare fail the module with the list of valid keys; see docs/verify.md.
      - Settings of checklist ids not in O(requirements) are ignored, so one dict serves every call.
    type: dict
    default: {}
  hosts:
    description:
      - Facts gathered on GPU nodes, keyed by inventory hostname, each with C(toolkit_config) (text of the
        NVIDIA container toolkit config.toml or null) and C(nvidia_smi) (nvidia-smi CSV output or null).
      - Checks that inspect nodes directly skip, naming the reason, when this is empty.
    type: dict
    default: {}
  run_id:
    description:
      - Identifier added as label C(ai-conformance.rke2/verifier-run) to every object an active check creates.
      - A random one is made when not given.
    type: str
"""

EXAMPLES = r"""
- name: Check gang scheduling and secure accelerator access (checklist 1.37)
  ai_conformance.rke2.conformance_check:
    kubeconfig: /etc/rancher/rke2/rke2.yaml
    checklist_version: "1.37"
    requirements: [gang_scheduling, secure_accelerator_access]
    timeout: 180
  register: checks

- name: Read-only checks of every 1.37 requirement
  ai_conformance.rke2.conformance_check:
    checklist_version: "1.37"
    requirements: "{{ conformance.ids }}"
    active: false
"""

RETURN = r"""
results:
  description: One result per requirement id, in the order of O(requirements).
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Requirement id.
      type: str
    level:
      description: V(MUST) or V(SHOULD) in O(checklist_version).
      type: str
    category:
      description: Checklist category key.
      type: str
    junit_name:
      description: Testcase name used in junit.xml.
      type: str
    description:
      description: Requirement text from the checklist.
      type: str
    status:
      description: V(pass), V(fail), V(skip) or V(error).
      type: str
    message:
      description: One line saying what was observed, or why the check skipped.
      type: str
    duration_s:
      description: Seconds the check took.
      type: float
    steps:
      description: The observations the status rests on, each with name, status, message and evidence.
      type: list
      elements: dict
    evidence:
      description: Evidence of every step, keyed by step name.
      type: dict
    cleaned_up:
      description: Objects and namespaces the check created and deleted.
      type: list
      elements: str
  sample:
    - id: gang_scheduling
      level: MUST
      status: pass
      message: "Kueue admitted the 2-pod job as one unit; the oversized job stayed suspended for 30 s"
failed_musts:
  description: Ids of MUST requirements whose status is V(fail) or V(error).
  returned: success
  type: list
  elements: str
active:
  description: Whether active checks ran (always false in check mode).
  returned: success
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ai_conformance.rke2.plugins.module_utils import catalog
from ansible_collections.ai_conformance.rke2.plugins.module_utils.checks import settings_for, validate_settings
from ansible_collections.ai_conformance.rke2.plugins.module_utils.client import AUTH_ARG_SPEC, connect, enable_read_cache
from ansible_collections.ai_conformance.rke2.plugins.module_utils.context import CheckContext
from ansible_collections.ai_conformance.rke2.plugins.module_utils.reports import failed_musts
from ansible_collections.ai_conformance.rke2.plugins.module_utils.runner import run_check


def plan(params):
    """[(catalog entry, merged settings)] for the requested ids; ValueError/CatalogError on bad input."""
    version = catalog.normalize_version(params["checklist_version"])
    entries = catalog.select(version, params["requirements"])
    settings = params["settings"] or {}
    validate_settings(settings, [e["id"] for e in catalog.checklist(version)])
    return [(e, settings_for(e["id"], settings.get(e["id"]))) for e in entries]


def main():
    module = AnsibleModule(
        argument_spec=dict(
            AUTH_ARG_SPEC,
            requirements=dict(type="list", elements="str", required=True),
            checklist_version=dict(type="str", required=True),
            active=dict(type="bool", default=True),
            timeout=dict(type="int", default=300),
            settings=dict(type="dict", default={}),
            hosts=dict(type="dict", default={}),
            run_id=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    if not module.params["requirements"]:
        module.fail_json(msg="requirements is empty: name at least one requirement id")
    try:
        work = plan(module.params)
    except ValueError as exc:  # CatalogError is a ValueError
        module.fail_json(msg=str(exc))
    if module.params["timeout"] <= 0:
        module.fail_json(msg="timeout must be a positive number of seconds, got %d" % module.params["timeout"])
    active = module.params["active"] and not module.check_mode
    api = connect(module)
    if not active:
        enable_read_cache(api)  # passive checks read one snapshot; repeated identical GETs are served once
    results = []
    for entry, settings in work:
        ctx = CheckContext(api, entry["id"], entry["level"], settings=settings, active=active,
                           timeout=module.params["timeout"], hosts=module.params["hosts"],
                           run_id=module.params["run_id"])
        result = run_check(ctx).to_dict()
        result.update(category=entry["category"], junit_name=entry["junit_name"],
                      description=entry["description"])
        results.append(result)
    module.exit_json(changed=False, results=results, active=active,
                     failed_musts=[r["id"] for r in failed_musts(results)])


if __name__ == "__main__":
    main()
