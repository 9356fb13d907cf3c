#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: conformance_info
short_description: Pick the AI conformance checklist for a cluster and list its requirements
version_added: 0.1.0
description:
  - Reads the API server version and picks the CNCF Kubernetes AI Conformance checklist (v1.33 to v1.37)
    with the same minor version, or the one given in O(checklist_version).
  - Returns the catalog entries (category, id, level, description, junit test name) of the requirements
    to verify, all of the checklist or those named in O(requirements).
  - Read-only; the only request is C(GET /version). An unreachable API server, a bad kubeconfig, an unknown
    checklist version or an unknown requirement id each fail with one message naming the problem.
author:
  - ai_conformance.rke2 contributors (@ai-conformance)
extends_documentation_fragment:
  - ai_conformance.rke2.cluster_auth
attributes:
  check_mode:
    support: full
    description: Read-only; behaves the same in check mode.
  diff_mode:
    support: none
    description: Changes nothing, so there is nothing to diff.
options:
  checklist_version:
    description:
      - Checklist version to use instead of the server's minor version, for example V(1.36) or V(v1.36).
      - Servers newer than the newest checklist get the newest one; older servers need this option.
    type: str
  requirements:
    description:
      - Requirement ids to verify. Empty means every requirement of the checklist.
      - An id that is unknown, or not part of the chosen checklist, fails the module.
    type: list
    elements: str
    default: []
  settings:
    description:
      - Per-check settings keyed by requirement id, validated here (unknown id, unknown key or a value that is
        not a dict fails the module) so that bad settings stop the run before any check starts.
      - The same dict is then given to M(ai_conformance.rke2.conformance_check).
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Pick the checklist from the server version
  ai_conformance.rke2.conformance_info:
    kubeconfig: /etc/rancher/rke2/rke2.yaml
  register: conformance

- name: Verify two requirements of checklist 1.36
  ai_conformance.rke2.conformance_info:
    checklist_version: "1.36"
    requirements: [gang_scheduling, secure_accelerator_access]
"""

RETURN = r"""
server_version:
  description: The API server's C(/version) fields.
  returned: success
  type: dict
  sample: {gitVersion: v1.37.2+rke2r1, major: "1", minor: "37", platform: linux/amd64}
checklist_version:
  description: The checklist version chosen.
  returned: success
  type: str
  sample: "1.37"
checklist_source:
  description: V(server) when picked from the server's minor version, V(override) when given.
  returned: success
  type: str
  sample: server
requirements:
  description: Catalog entries to verify, in checklist order.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Requirement id.
      type: str
      sample: gang_scheduling
    category:
      description: The C(spec) key of the checklist.
      type: str
      sample: schedulingOrchestration
    level:
      description: V(MUST) or V(SHOULD) in this checklist version.
      type: str
      sample: MUST
    description:
      description: Requirement text, verbatim from the CNCF template.
      type: str
    junit_name:
      description: Testcase name in junit.xml (the upstream test name where one exists).
      type: str
      sample: TestGangScheduling
    upstream_test:
      description: Whether junit_name is the name of a kubernetes-sigs/ai-conformance test.
      type: bool
    kar:
      description: The KAR number defining the requirement, null when none exists.
      type: str
ids:
  description: The requirement ids of O(requirements), for loops and tags.
  returned: success
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ai_conformance.rke2.plugins.module_utils import catalog
from ansible_collections.ai_conformance.rke2.plugins.module_utils.checks import validate_settings
from ansible_collections.ai_conformance.rke2.plugins.module_utils.client import (
    AUTH_ARG_SPEC, connect, server_version)
from ansible_collections.ai_conformance.rke2.plugins.module_utils.runner import describe_exception


def main():
    module = AnsibleModule(
        argument_spec=dict(
            AUTH_ARG_SPEC,
            checklist_version=dict(type="str"),
            requirements=dict(type="list", elements="str", default=[]),
            settings=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    override = module.params["checklist_version"]
    try:
        # bad input is reported before any connection attempt
        version = catalog.normalize_version(override) if override else None
        if version:
            catalog.select(version, module.params["requirements"])
            validate_settings(module.params["settings"], [e["id"] for e in catalog.checklist(version)])
    except ValueError as exc:  # CatalogError is a ValueError
        module.fail_json(msg=str(exc))
    api = connect(module)
    try:
        server = server_version(api)
    except Exception as exc:
        module.fail_json(msg=describe_exception(exc))
    try:
        if not version:
            version = catalog.version_for_server(server["major"], server["minor"])
        entries = catalog.select(version, module.params["requirements"])
        validate_settings(module.params["settings"], [e["id"] for e in catalog.checklist(version)])
    except ValueError as exc:
        module.fail_json(msg=str(exc), server_version=server)
    module.exit_json(changed=False, server_version=server, checklist_version=version,
                     checklist_source="override" if override else "server",
                     requirements=entries, ids=[e["id"] for e in entries])


if __name__ == "__main__":
    main()
