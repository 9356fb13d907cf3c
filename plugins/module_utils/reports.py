# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""The verify outputs: results.json, junit.xml (gotestsum layout), report.md, PRODUCT.yaml, and an
offline PRODUCT.yaml validator following cncf/k8s-ai-conformance scripts/validate.go.

Everything here is pure: results in, text out. A result is CheckResult.to_dict() plus the catalog
fields category, junit_name and description (conformance_check adds them).
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET

from ansible_collections.ai_conformance.rke2.plugins.module_utils import catalog
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import ERROR, FAIL, PASS, SKIP

FILES = ("results.json", "junit.xml", "report.md", "PRODUCT.yaml")
SCHEMA_VERSION = 1
# classname of our testcases, in the place where gotestsum writes the Go package.
JUNIT_PACKAGE = "ai_conformance.rke2/verify"
PRODUCT_STATUSES = ("Implemented", "Not Implemented", "Partially Implemented", "N/A")
# How a check status becomes a PRODUCT.yaml status. An error decided nothing, so the status is left
# empty for a person to fill in; a skip is N/A with the check's reason as the justification.
STATUS_MAP = {PASS: "Implemented", FAIL: "Not Implemented", SKIP: "N/A", ERROR: ""}
PLACEHOLDERS = {
    "platformName": "[Platform Name]",
    "platformVersion": "[Platform Version]",
    "vendorName": "[Vendor Name]",
    "websiteUrl": "[Website URL]",
    "repoUrl": "[Repository URL]",
    "documentationUrl": "[Documentation URL]",
    "productLogoUrl": "[Documentation URL]",  # sic: the templates use this placeholder for the logo
    "description": "[Description]",
    "contactEmailAddress": "[Contact Email Address]",
    "k8sConformanceUrl": "[URL to k8s-conformance submission, e.g., "
                         "https://github.com/cncf/k8s-conformance/tree/master/v1.35/product-name]",
}
METADATA_KEYS = tuple(catalog.TEMPLATE_METADATA["1.35"])
_PLACEHOLDER_RE = re.compile(r"^\[.*\]$")
_K8S_CONFORMANCE_RE = re.compile(r"^https://github\.com/cncf/k8s-conformance/tree/(master|main)/v\d+\.\d+/[^/]+/?$")
_LOGO_SUFFIXES = (".svg", ".eps", ".ai")
# Evidence of one step shown in junit.xml and report.md; results.json always has all of it.
EVIDENCE_CHARS = 4000


def _snake(key):
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), key)


METADATA_ALIASES = {_snake(k): k for k in METADATA_KEYS}


def normalize_metadata(metadata):
    """camelCase keys (snake_case aliases accepted, as validate.go does); ValueError names unknown keys."""
    out = {}
    for key, value in (metadata or {}).items():
        name = key if key in METADATA_KEYS else METADATA_ALIASES.get(key)
        if name is None:
            raise ValueError("unknown PRODUCT.yaml metadata key %r: valid keys are %s"
                             % (key, ", ".join(METADATA_KEYS)))
        out[name] = "" if value is None else str(value)
    return out


def missing_result(entry, reason=None):
    """An error result for a catalog entry whose check returned nothing (its task died or timed out)."""
    message = "no result: the check did not finish" + (" (%s)" % " ".join(str(reason).split()) if reason else "")
    return {"id": entry["id"], "level": entry["level"], "category": entry["category"],
            "junit_name": entry["junit_name"], "description": entry["description"], "status": ERROR,
            "message": message, "duration_s": 0.0,
            "steps": [{"name": "result", "status": ERROR, "message": message}],
            "evidence": {}, "cleaned_up": []}


def counts(results):
    """{'pass': n, 'fail': n, 'skip': n, 'error': n, 'total': n}."""
    out = {s: 0 for s in (PASS, FAIL, SKIP, ERROR)}
    for r in results:
        out[r["status"]] += 1
    out["total"] = len(results)
    return out


def failed_musts(results):
    """MUST results that failed or errored (what fail_on_must stops on)."""
    return [r for r in results if r["level"] == "MUST" and r["status"] in (FAIL, ERROR)]


def summary_table(results, width=150):
    """Fixed-width text table: id, level, status, message (cut to fit width characters)."""
    id_w = max([len("id")] + [len(r["id"]) for r in results])
    head = "%-*s  %-6s  %-6s  %s" % (id_w, "id", "level", "status", "message")
    lines = [head, "-" * min(max(len(head), width), width)]
    room = max(20, width - id_w - 18)
    for r in results:
        msg = r["message"] if len(r["message"]) <= room else r["message"][:room - 3] + "..."
        lines.append("%-*s  %-6s  %-6s  %s" % (id_w, r["id"], r["level"], r["status"].upper(), msg))
    c = counts(results)
    lines.append("-" * min(max(len(head), width), width))
    lines.append("%(total)d checks: %(pass)d pass, %(fail)d fail, %(skip)d skip, %(error)d error" % c)
    return lines


# results.json ---------------------------------------------------------------------------------------

def results_document(run, results):
    """The results.json document: run metadata, counts and every result with its evidence."""
    return {
        "schemaVersion": SCHEMA_VERSION,
        "tool": "ai_conformance.rke2 verify",
        "checklistVersion": run["checklist_version"],
        "serverVersion": run.get("server_version"),
        "startedAt": run.get("started_at"),
        "finishedAt": run.get("finished_at"),
        "active": run.get("active"),
        "summary": counts(results),
        "failedMusts": [r["id"] for r in failed_musts(results)],
        "results": results,
    }


def results_json(run, results):
    return json.dumps(results_document(run, results), indent=2, sort_keys=False, default=str) + "\n"


# junit.xml ------------------------------------------------------------------------------------------

def _evidence_text(evidence, limit=EVIDENCE_CHARS):
    """Compact JSON of one step's evidence, cut at limit characters (results.json has all of it)."""
    text = json.dumps(evidence, sort_keys=True, default=str)
    if len(text) > limit:
        text = text[:limit] + " ... (%d more characters in results.json)" % (len(text) - limit)
    return text


def _step_evidence(result, step):
    return (result.get("evidence") or {}).get(step["name"]) or step.get("evidence")


def _output(result):
    """go test -v style text for a result, used as the failure/skip body and system-out."""
    name = result["junit_name"]
    lines = ["=== RUN   %s" % name]
    for step in result.get("steps", []):
        lines.append("    %s: [%s] %s" % (step["name"], step["status"], step["message"]))
        evidence = _step_evidence(result, step)
        if evidence:
            lines.append("        evidence: %s" % _evidence_text(evidence))
    verb = {PASS: "PASS", FAIL: "FAIL", ERROR: "FAIL", SKIP: "SKIP"}[result["status"]]
    lines.append("--- %s: %s (%.2fs)" % (verb, name, result.get("duration_s", 0.0)))
    return "\n".join(lines) + "\n"


def junit_xml(run, results):
    """gotestsum-style JUnit: one testsuite (our package), one testcase per check.

    fail -> <failure>, error -> <error>, skip -> <skipped message=reason>; the go test -v style
    step log is in the element body (system-out for passes).
    """
    total = sum(r.get("duration_s", 0.0) for r in results)
    c = counts(results)
    suites = ET.Element("testsuites", tests=str(c["total"]), failures=str(c[FAIL]), errors=str(c[ERROR]),
                        time="%f" % total)
    suite = ET.SubElement(suites, "testsuite", tests=str(c["total"]), failures=str(c[FAIL]),
                          errors=str(c[ERROR]), skipped=str(c[SKIP]), time="%f" % total,
                          name=JUNIT_PACKAGE, timestamp=run.get("started_at") or "")
    props = ET.SubElement(suite, "properties")
    for key, value in (("checklist.version", run["checklist_version"]),
                       ("kubernetes.version", run.get("server_version") or "unknown"),
                       ("verify.active", str(bool(run.get("active"))).lower())):
        ET.SubElement(props, "property", name=key, value=value)
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=JUNIT_PACKAGE, name=r["junit_name"],
                             time="%f" % r.get("duration_s", 0.0))
        body = _output(r)
        if r["status"] == FAIL:
            ET.SubElement(case, "failure", message=r["message"], type="").text = body
        elif r["status"] == ERROR:
            ET.SubElement(case, "error", message=r["message"], type="").text = body
        elif r["status"] == SKIP:
            ET.SubElement(case, "skipped", message=r["message"]).text = body
        else:
            ET.SubElement(case, "system-out").text = body
    ET.indent(suites, space="\t")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def junit_outcomes(junit_text):
    """{testcase name: 'pass'|'fail'|'error'|'skip'} parsed from a junit.xml text."""
    out = {}
    for case in ET.fromstring(junit_text).iter("testcase"):
        if case.find("failure") is not None:
            out[case.get("name")] = FAIL
        elif case.find("error") is not None:
            out[case.get("name")] = ERROR
        elif case.find("skipped") is not None:
            out[case.get("name")] = SKIP
        else:
            out[case.get("name")] = PASS
    return out


# PRODUCT.yaml ---------------------------------------------------------------------------------------

def product_document(version, metadata, results, overrides=None, status_map=None):
    """PRODUCT.yaml for checklist `version` as a dict (every category and id of the template).

    metadata: user values (camelCase or snake_case); missing required keys keep the template
    placeholder so the validator names them. results: the checks that ran; ids not run get an empty
    status. overrides: {id: {status, notes, evidence}}: status/notes replace, evidence is appended.
    """
    version = catalog.normalize_version(version)
    status_map = dict(STATUS_MAP, **(status_map or {}))
    overrides = overrides or {}
    unknown = sorted(set(overrides) - {e["id"] for e in catalog.checklist(version)})
    if unknown:
        raise ValueError("product overrides name ids that are not in checklist %s: %s"
                         % (version, ", ".join(unknown)))
    given = normalize_metadata(metadata)
    meta = {}
    for key in catalog.TEMPLATE_METADATA[version] + ("k8sConformanceUrl",):
        if key in meta:
            continue
        if key == "kubernetesVersion":
            meta[key] = given.get(key) or "v" + version
        elif key == "repoUrl" and not given.get(key):
            continue  # optional (open source only); a placeholder would be rejected
        else:
            meta[key] = given.get(key) or PLACEHOLDERS[key]
    by_id = {r["id"]: r for r in results}
    spec = {}
    for entry in catalog.checklist(version):
        r = by_id.get(entry["id"])
        if r is None:
            item = {"status": "", "evidence": [], "notes": "Not checked by this verify run."}
        else:
            status = status_map[r["status"]]
            # A junit reference is evidence only for a passing test: the CNCF validator rejects an
            # artifact whose referenced test fails.
            evidence = ["file://junit.xml#%s" % entry["junit_name"]] if r["status"] == PASS else []
            prefix = {PASS: "", FAIL: "verify failed: ", SKIP: "verify skipped: ",
                      ERROR: "verify could not decide (error): "}[r["status"]]
            item = {"status": status, "evidence": evidence, "notes": prefix + r["message"]}
        over = overrides.get(entry["id"]) or {}
        if "status" in over:
            item["status"] = over["status"]
        if "notes" in over:
            item["notes"] = over["notes"]
        item["evidence"] = item["evidence"] + list(over.get("evidence") or [])
        spec.setdefault(entry["category"], []).append({
            "id": entry["id"], "description": entry["description"], "level": entry["level"],
            "status": item["status"], "evidence": item["evidence"], "notes": item["notes"]})
    return {"metadata": meta, "spec": spec}


def product_yaml(document, version, generated_at=None):
    import yaml

    header = ["# Kubernetes AI Conformance Checklist - v%s" % catalog.normalize_version(version),
              "# Filled in by ai_conformance.rke2 verify.yml%s from its checks (see report.md)."
              % (" on %s" % generated_at if generated_at else ""),
              "# Review status, evidence and notes before submitting; evidence file:// links point at",
              "# junit.xml in this directory (hybrid verification, v1.37+)."]
    body = yaml.safe_dump(document, sort_keys=False, width=10000, allow_unicode=True, default_flow_style=False)
    return "\n".join(header) + "\n\n" + body


def validate_product(document, version, product_dir=None, files=None):
    """Offline PRODUCT.yaml check against validate.go's rules (§2.3 of the reference).

    files: {name: text} of artifacts next to PRODUCT.yaml not yet on disk (junit.xml while
    writing); product_dir: the directory for everything else.
    Returns {valid, errors, warnings, must_not_implemented, skipped, not_checked_offline}.
    """
    version = catalog.normalize_version(version)
    files = files or {}
    errors, warnings, must_bad, skipped, online = [], [], [], [], []
    meta = document.get("metadata") or {}
    if not isinstance(meta, dict):
        errors.append("metadata must be a mapping")
        meta = {}
    try:
        meta = normalize_metadata(meta)
    except ValueError as exc:
        warnings.append(str(exc))
        meta = {k: v for k, v in meta.items() if k in METADATA_KEYS or k in METADATA_ALIASES}
        meta = {METADATA_ALIASES.get(k, k): "" if v is None else str(v) for k, v in meta.items()}
    for key in catalog.REQUIRED_METADATA + (("repoUrl",) if "repoUrl" in meta else ()):
        value = str(meta.get(key, "")).strip()
        if not value:
            errors.append("metadata.%s is missing or empty" % key)
        elif _PLACEHOLDER_RE.match(value):
            errors.append("metadata.%s still holds the placeholder %s" % (key, value))
    kv = str(meta.get("kubernetesVersion", ""))
    if kv and kv != "v" + version:
        errors.append("metadata.kubernetesVersion is %s but the checklist is v%s" % (kv, version))
    logo = str(meta.get("productLogoUrl", ""))
    if logo and not _PLACEHOLDER_RE.match(logo) and not logo.lower().endswith(_LOGO_SUFFIXES):
        errors.append("metadata.productLogoUrl must end in .svg, .eps or .ai: %s" % logo)
    k8s = str(meta.get("k8sConformanceUrl", ""))
    if k8s and not _PLACEHOLDER_RE.match(k8s) and not _K8S_CONFORMANCE_RE.match(k8s):
        errors.append("metadata.k8sConformanceUrl must look like "
                      "https://github.com/cncf/k8s-conformance/tree/master/vX.Y/<name>: %s" % k8s)
    online.append("vendorName against the CNCF landscape member list, and reachability of every URL "
                  "(websiteUrl, productLogoUrl, k8sConformanceUrl, evidence links)")

    spec = document.get("spec") or {}
    if not isinstance(spec, dict):
        errors.append("spec must be a mapping of category to requirements")
        spec = {}
    junit_cache = {}
    for entry in catalog.checklist(version):
        where = "spec.%s.%s" % (entry["category"], entry["id"])
        items = spec.get(entry["category"])
        if not isinstance(items, list):
            errors.append("spec.%s (category) is missing" % entry["category"])
            spec[entry["category"]] = items = []
        found = [i for i in items if isinstance(i, dict) and i.get("id") == entry["id"]]
        if not found:
            errors.append("%s is missing" % where)
            continue
        item = found[0]
        if item.get("level") != entry["level"]:
            errors.append("%s: level is %r, the template says %s" % (where, item.get("level"), entry["level"]))
        if item.get("description") != entry["description"]:
            warnings.append("%s: description differs from the template" % where)
        status = item.get("status") or ""
        evidence = item.get("evidence")
        if evidence is None:
            evidence = []
        if not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence):
            errors.append("%s: evidence must be a list of strings" % where)
            evidence = []
        if entry["level"] == "SHOULD" and not status and not evidence:
            skipped.append(entry["id"])
            continue
        if status and status not in PRODUCT_STATUSES:
            errors.append("%s: status %r is not one of %s" % (where, status, ", ".join(PRODUCT_STATUSES)))
        if entry["level"] == "MUST" and status != "Implemented":
            must_bad.append(entry["id"])
            errors.append("%s: MUST requirement has status %r; the validator accepts only Implemented"
                          % (where, status))
        if status == "N/A" and not str(item.get("notes") or "").strip():
            errors.append("%s: status N/A needs a justification in notes" % where)
        for ref in evidence:
            problem = _check_evidence(ref, product_dir, files, junit_cache)
            if problem:
                errors.append("%s: evidence %s: %s" % (where, ref, problem))
    for category in spec:
        if category not in catalog.CATEGORIES:
            warnings.append("spec.%s is not a category of the template" % category)
    return {"valid": not errors, "errors": errors, "warnings": warnings, "must_not_implemented": must_bad,
            "skipped": skipped, "not_checked_offline": online}


def _check_evidence(ref, product_dir, files, junit_cache):
    """None when an evidence reference is acceptable offline, else what is wrong with it."""
    if re.match(r"^https?://", ref):
        return None  # reachability is an online check
    path = ref[len("file://"):] if ref.startswith("file://") else ref
    path, test = (path.split("#", 1) + [""])[:2]
    if path.startswith("/") or ".." in path.split("/"):
        return "paths must stay inside the product directory"
    name = os.path.basename(path)
    if path in files:
        text = files[path]
    elif product_dir and os.path.isfile(os.path.join(product_dir, path)):
        if not test and name != "junit.xml":
            return None
        with open(os.path.join(product_dir, path), encoding="utf-8") as handle:
            text = handle.read()
    else:
        return "file %s does not exist in the product directory" % path
    if name != "junit.xml":
        return None
    if path not in junit_cache:
        try:
            junit_cache[path] = junit_outcomes(text)
        except ET.ParseError as exc:
            return "junit.xml does not parse: %s" % exc
    outcomes = junit_cache[path]
    if test:
        if test not in outcomes:
            return "junit.xml has no testcase %s" % test
        if outcomes[test] in (FAIL, ERROR):
            return "testcase %s did not pass (%s)" % (test, outcomes[test])
    return None


def validation_lines(validation):
    """Human-readable lines for a validate_product() result (MUST problems first and loud)."""
    lines = []
    if validation["must_not_implemented"]:
        lines.append("!!! PRODUCT.yaml WILL BE REJECTED: MUST requirement(s) not Implemented: %s"
                     % ", ".join(validation["must_not_implemented"]))
    lines.append("PRODUCT.yaml offline validation: %s (%d error(s), %d warning(s))"
                 % ("PASSED" if validation["valid"] else "FAILED", len(validation["errors"]),
                    len(validation["warnings"])))
    lines.extend("  error: " + e for e in validation["errors"])
    lines.extend("  warning: " + w for w in validation["warnings"])
    if validation["skipped"]:
        lines.append("  skipped (SHOULD without status or evidence): " + ", ".join(validation["skipped"]))
    lines.extend("  not checked offline: " + o for o in validation["not_checked_offline"])
    return lines


# report.md ------------------------------------------------------------------------------------------

def _md(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def report_md(run, results, validation=None):
    c = counts(results)
    out = ["# AI Conformance verify report", "",
           "| | |", "|---|---|",
           "| Checklist | v%s |" % run["checklist_version"],
           "| Kubernetes server | %s |" % (run.get("server_version") or "unknown"),
           "| Started | %s |" % (run.get("started_at") or ""),
           "| Finished | %s |" % (run.get("finished_at") or ""),
           "| Active checks | %s |" % ("on" if run.get("active") else "off (passive only)"),
           "| Result | %(total)d checks: %(pass)d pass, %(fail)d fail, %(skip)d skip, %(error)d error |" % c,
           ""]
    bad = failed_musts(results)
    if bad:
        out += ["**MUST requirements not met:** " + ", ".join("`%s` (%s)" % (r["id"], r["status"]) for r in bad), ""]
    out += ["## Summary", "", "| id | category | level | status | test | message |", "|---|---|---|---|---|---|"]
    for r in results:
        out.append("| `%s` | %s | %s | **%s** | %s | %s |" % (
            r["id"], r.get("category", ""), r["level"], r["status"].upper(), r["junit_name"], _md(r["message"])))
    out += ["", "## Details", ""]
    for r in results:
        out += ["### %s (%s, %s)" % (r["id"], r["level"], r["status"].upper()), ""]
        if r.get("description"):
            out += ["> " + _md(r["description"]), ""]
        out += ["- Test: `%s`, %.2f s" % (r["junit_name"], r.get("duration_s", 0.0)),
                "- Message: " + _md(r["message"])]
        if r.get("cleaned_up"):
            out.append("- Cleaned up: " + ", ".join("`%s`" % n for n in r["cleaned_up"]))
        out += ["", "| step | status | message |", "|---|---|---|"]
        for step in r.get("steps", []):
            out.append("| %s | %s | %s |" % (_md(step["name"]), step["status"], _md(step["message"])))
        evidence = {s["name"]: _step_evidence(r, s) for s in r.get("steps", []) if _step_evidence(r, s)}
        if evidence:
            out += ["", "<details><summary>Evidence observed</summary>", ""]
            for step_name, value in evidence.items():
                text = json.dumps(value, indent=2, sort_keys=True, default=str)
                if len(text) > EVIDENCE_CHARS:
                    text = _evidence_text(value)
                out += ["%s:" % step_name, "", "```json", text, "```", ""]
            out.append("</details>")
        out.append("")
    if validation is not None:
        out += ["## PRODUCT.yaml validation (offline)", "", "```"] + validation_lines(validation) + ["```", ""]
    return "\n".join(out)
