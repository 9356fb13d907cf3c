#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: conformance_report
short_description: Write the AI conformance evidence files and validate PRODUCT.yaml offline
version_added: 0.1.0
description:
  - Writes four files to O(output_dir) from the results of M(ai_conformance.rke2.conformance_check),
    C(results.json) (every result with its evidence), C(junit.xml) (gotestsum layout, one testcase per check,
    named like the upstream kubernetes-sigs/ai-conformance test where one exists), C(report.md) and
    C(PRODUCT.yaml) (the CNCF submission file for O(checklist_version)).
  - PRODUCT.yaml status comes from the result. Pass is C(Implemented) with evidence
    C(file://junit.xml#<Test>), fail is C(Not Implemented), skip is C(N/A) with the reason as notes, error
    leaves the status empty for a person to decide. O(product_overrides) adjusts single entries.
  - PRODUCT.yaml is then checked offline against the rules of the CNCF validator (every category and id
    present, allowed statuses, MUST only C(Implemented), N/A with notes, no placeholder or empty metadata,
    file evidence present and its junit testcase passing). URL reachability and the vendor name are not
    checked offline. A MUST that is not Implemented gives a warning.
  - Files are rewritten only when their content changes.
author:
  - ai_conformance.rke2 contributors (@ai-conformance)
attributes:
  check_mode:
    support: full
    description: Reports which files would change and the validation result; writes nothing.
  diff_mode:
    support: full
    description: Shows the old and new text of every file that changes.
options:
  output_dir:
    description:
      - Directory for the four files; created when missing.
    type: path
    required: true
  results:
    description:
      - The C(results) list returned by M(ai_conformance.rke2.conformance_check) (several lists may be concatenated).
    type: list
    elements: dict
    required: true
  requirements:
    description:
      - Ids that were meant to be checked. Any of them without a result (its check task died or timed out)
        is reported as an V(error) result, so a lost check never looks like a requirement not checked.
    type: list
    elements: str
    default: []
  missing_reason:
    description:
      - Why results are missing (for example the failed task's message); used in those error results.
    type: str
  checklist_version:
    description:
      - Checklist version of the run (V(1.33) to V(1.37)); PRODUCT.yaml lists every requirement of it.
    type: str
    required: true
  server_version:
    description:
      - Kubernetes server version shown in the report and junit properties.
    type: str
  started_at:
    description:
      - Start time of the run (ISO 8601), shown in the reports and used as junit timestamp.
    type: str
  finished_at:
    description:
      - End time of the run (ISO 8601).
    type: str
  active:
    description:
      - Whether active checks ran; shown in the reports.
    type: bool
    default: true
  product_metadata:
    description:
      - PRODUCT.yaml C(metadata) values (camelCase or snake_case keys), for example C(platformName),
        C(platformVersion), C(vendorName), C(websiteUrl), C(repoUrl), C(documentationUrl), C(productLogoUrl),
        C(description), C(contactEmailAddress), C(k8sConformanceUrl).
      - C(kubernetesVersion) defaults to C(v<checklist_version>). Missing values keep the template placeholder,
        which the offline validation reports.
    type: dict
    default: {}
  product_overrides:
    description:
      - Per requirement id adjustments of PRODUCT.yaml, for example documentation links for requirements
        verified by hand. C(status) and C(notes) replace the generated values; C(evidence) (a list) is appended.
    type: dict
    default: {}
  fail_on_invalid_product:
    description:
      - Fail the task when the offline PRODUCT.yaml validation finds errors (after writing the files).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Write the evidence files
  ai_conformance.rke2.conformance_report:
    output_dir: ./conformance-report
    results: "{{ checks.results }}"
    checklist_version: "{{ conformance.checklist_version }}"
    server_version: "{{ conformance.server_version.gitVersion }}"
    product_metadata:
      platformName: RKE2
      platformVersion: v1.37.2+rke2r1
      vendorName: SUSE
    product_overrides:
      gpu_sharing:
        evidence: [https://docs.example.com/gpu-sharing]
  register: report
"""

RETURN = r"""
files:
  description: Paths of the four files.
  returned: always
  type: dict
  sample: {results.json: conformance-report/results.json, junit.xml: conformance-report/junit.xml}
changed_files:
  description: Names of the files whose content changed (or would change in check mode).
  returned: always
  type: list
  elements: str
table:
  description: Summary table lines (id, level, status, message) for printing.
  returned: always
  type: list
  elements: str
counts:
  description: Number of results per status and in total.
  returned: always
  type: dict
  sample: {pass: 12, fail: 1, skip: 2, error: 0, total: 15}
failed_musts:
  description: Ids of MUST requirements that failed or errored.
  returned: always
  type: list
  elements: str
validation:
  description: Offline PRODUCT.yaml validation.
  returned: always
  type: dict
  contains:
    valid:
      description: True when no rule is violated.
      type: bool
    errors:
      description: Rule violations the CNCF validator would reject.
      type: list
      elements: str
    warnings:
      description: Findings that do not fail validation.
      type: list
      elements: str
    must_not_implemented:
      description: MUST ids whose status is not C(Implemented).
      type: list
      elements: str
    skipped:
      description: SHOULD ids without status and evidence (the validator skips them).
      type: list
      elements: str
    not_checked_offline:
      description: Rules that need the network and were not checked.
      type: list
      elements: str
validation_lines:
  description: The validation result as printable lines.
  returned: always
  type: list
  elements: str
"""

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ai_conformance.rke2.plugins.module_utils import catalog, reports

RESULT_KEYS = ("id", "level", "status", "message", "junit_name")


def render(params):
    """{file name: text}, validation, results for the module params; ValueError on bad input."""
    version = catalog.normalize_version(params["checklist_version"])
    results = list(params["results"])
    for index, r in enumerate(results):
        missing = [k for k in RESULT_KEYS if k not in r]
        if missing:
            raise ValueError("results[%d] lacks %s: pass the results of conformance_check"
                             % (index, ", ".join(missing)))
    have = {r["id"] for r in results}
    lost = [e for e in catalog.select(version, params["requirements"]) if e["id"] not in have] \
        if params["requirements"] else []
    results += [reports.missing_result(e, params["missing_reason"]) for e in lost]
    order = {e["id"]: i for i, e in enumerate(catalog.checklist(version))}
    results.sort(key=lambda r: order.get(r["id"], len(order)))
    run = dict(checklist_version=version, server_version=params["server_version"],
               started_at=params["started_at"], finished_at=params["finished_at"], active=params["active"])
    junit = reports.junit_xml(run, results)
    document = reports.product_document(version, params["product_metadata"], results,
                                        overrides=params["product_overrides"])
    for check_id, over in params["product_overrides"].items():
        if not isinstance(over, dict) or set(over) - {"status", "notes", "evidence"}:
            raise ValueError("product_overrides.%s must be a dict with keys status, notes, evidence" % check_id)
    validation = reports.validate_product(document, version, product_dir=params["output_dir"],
                                          files={"junit.xml": junit, "results.json": "", "report.md": ""})
    texts = {
        "results.json": reports.results_json(run, results),
        "junit.xml": junit,
        "PRODUCT.yaml": reports.product_yaml(document, version, params["finished_at"]),
        "report.md": reports.report_md(run, results, validation),
    }
    return texts, validation, results


def main():
    module = AnsibleModule(
        argument_spec=dict(
            output_dir=dict(type="path", required=True),
            results=dict(type="list", elements="dict", required=True),
            requirements=dict(type="list", elements="str", default=[]),
            missing_reason=dict(type="str"),
            checklist_version=dict(type="str", required=True),
            server_version=dict(type="str"),
            started_at=dict(type="str"),
            finished_at=dict(type="str"),
            active=dict(type="bool", default=True),
            product_metadata=dict(type="dict", default={}),
            product_overrides=dict(type="dict", default={}),
            fail_on_invalid_product=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    try:
        texts, validation, results = render(module.params)
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    out_dir = module.params["output_dir"]
    files = {name: os.path.join(out_dir, name) for name in reports.FILES}
    changed, diffs = [], []
    for name in reports.FILES:
        path = files[name]
        before = ""
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                before = handle.read()
        if before == texts[name]:
            continue
        changed.append(name)
        diffs.append(dict(before_header=path, after_header=path, before=before, after=texts[name]))
        if not module.check_mode:
            os.makedirs(out_dir, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=out_dir, prefix="." + name)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(texts[name])
            module.atomic_move(tmp, path)
    lines = reports.validation_lines(validation)
    if validation["must_not_implemented"]:
        module.warn(lines[0])
    outcome = dict(changed=bool(changed), files=files, changed_files=changed,
                   table=reports.summary_table(results), counts=reports.counts(results),
                   failed_musts=[r["id"] for r in reports.failed_musts(results)],
                   validation=validation, validation_lines=lines)
    if module._diff:
        outcome["diff"] = diffs
    if module.params["fail_on_invalid_product"] and not validation["valid"]:
        module.fail_json(msg="PRODUCT.yaml fails offline validation: " + "; ".join(validation["errors"]), **outcome)
    module.exit_json(**outcome)


if __name__ == "__main__":
    main()
