"""Real CRD definitions for the component roles' custom kinds, registered on a simulated cluster.

fetch.sh copies them out of the projects' own Go modules (versions in versions.sh) into a cache outside
the repo; register() creates them on a cluster and waits until they are Established. Test-only code.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent


class _Loader(yaml.SafeLoader):
    """PyYAML resolves a bare `=` (an enum value in the prometheus-operator CRDs) to the YAML 1.1 'value'
    tag and cannot construct it; it is just the string '='."""


_Loader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))


def crd_dirs():
    """Cache directories holding the CRD YAML files (fetching them on first use)."""
    out = subprocess.run(["bash", str(HERE / "fetch.sh")], check=True, stdout=subprocess.PIPE, text=True).stdout
    return [Path(line) for line in out.splitlines() if line.strip()]


def crd_documents():
    docs = []
    for directory in crd_dirs():
        for path in sorted(directory.glob("*.yaml")):
            docs += [d for d in yaml.load_all(path.read_text(), Loader=_Loader) if d and d.get("kind") == "CustomResourceDefinition"]
    return docs


def register(api_client, timeout=60):
    """Create (or server-side apply) every CRD and wait until all are Established; returns their names."""
    from kubernetes import client, dynamic

    crd_api = dynamic.DynamicClient(api_client).resources.get(
        api_version="apiextensions.k8s.io/v1", kind="CustomResourceDefinition")
    names = []
    for doc in crd_documents():
        # Kueue's bases carry no conversion webhook (kustomize adds it); served as written.
        crd_api.server_side_apply(body=doc, name=doc["metadata"]["name"], field_manager="sim-crds",
                                  force_conflicts=True)
        names.append(doc["metadata"]["name"])
    ext = client.ApiextensionsV1Api(api_client)
    deadline = time.monotonic() + timeout
    pending = set(names)
    while pending and time.monotonic() < deadline:
        for name in list(pending):
            conds = ext.read_custom_resource_definition(name).status.conditions or []
            if any(c.type == "Established" and c.status == "True" for c in conds):
                pending.discard(name)
        if pending:
            time.sleep(0.5)
    if pending:
        raise RuntimeError("CRDs not Established after %ss: %s" % (timeout, ", ".join(sorted(pending))))
    return names
