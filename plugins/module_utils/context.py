# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""What a check gets to work with: the API client, its settings, a scratch namespace, a clock."""

from __future__ import annotations

import time
import uuid

# Every object an active check creates carries this label, so a final sweep can find leftovers.
VERIFIER_LABEL = "ai-conformance.rke2/verifier"


class CheckContext:
    """Per-check state. Active checks create objects only inside namespaces made by scratch_namespace()."""

    def __init__(self, api_client, requirement_id, level, settings=None, active=True,
                 timeout=300, hosts=None, run_id=None):
        self.api = api_client
        self.requirement_id = requirement_id
        self.level = level
        self.settings = settings or {}
        self.active = active
        self.timeout = timeout
        self.hosts = hosts or {}
        self.run_id = run_id or uuid.uuid4().hex[:8]
        self._namespaces = []
        self._cluster_objects = []  # (API path, kind) created through create(), newest last
        self.started = time.monotonic()

    def setting(self, key, default=None):
        return self.settings.get(key, default)

    @property
    def labels(self):
        return {VERIFIER_LABEL: "true", VERIFIER_LABEL + "-run": self.run_id}

    def _require_active(self, what):
        # passive runs must only read: a check that tries to write with active=false is a bug in the check
        if not self.active:
            raise RuntimeError("%s called by the %s check while active checks are off" % (what, self.requirement_id))

    def scratch_namespace(self):
        """Create a fresh, labelled namespace for an active check; removed by cleanup()."""
        from kubernetes import client

        self._require_active("scratch_namespace()")
        name = "aiconf-%s-%s" % (self.requirement_id.replace("_", "-")[:30], self.run_id)
        if self._namespaces:
            name += "-%d" % len(self._namespaces)
        client.CoreV1Api(self.api).create_namespace(
            client.V1Namespace(metadata=client.V1ObjectMeta(name=name, labels=self.labels)))
        self._namespaces.append(name)
        return name

    def create(self, manifest, namespace=None):
        """Create any object (a dict manifest) with the verifier labels added, and remember it for cleanup().

        Namespaced objects must go into a scratch namespace of this check (namespace= or metadata.namespace);
        cluster-scoped ones (ClusterQueue, PriorityClass, ...) are deleted by cleanup(), newest first.
        One discovery request for the group version, one create. Returns the created object as a dict.
        """
        from ansible_collections.ai_conformance.rke2.plugins.module_utils.kube import send_json, served_resources

        self._require_active("create()")
        manifest = dict(manifest)
        metadata = dict(manifest.get("metadata") or {})
        metadata["labels"] = dict(metadata.get("labels") or {}, **self.labels)
        manifest["metadata"] = metadata
        gv = manifest["apiVersion"]
        found = [(plural, r) for plural, r in served_resources(self.api, gv).items() if r["kind"] == manifest["kind"]]
        if not found:
            raise ValueError("%s is not served in %s" % (manifest["kind"], gv))
        plural, info = found[0]
        base = "/api/v1" if gv == "v1" else "/apis/" + gv
        if info["namespaced"]:
            namespace = namespace or metadata.get("namespace")
            if namespace not in self._namespaces:
                raise ValueError("%s %s must be created in a scratch namespace of this check, not %r"
                                 % (manifest["kind"], metadata.get("name"), namespace))
            metadata["namespace"] = namespace
            return send_json(self.api, "POST", "%s/namespaces/%s/%s" % (base, namespace, plural), manifest)
        created = send_json(self.api, "POST", "%s/%s" % (base, plural), manifest)
        self._cluster_objects.append(("%s/%s/%s" % (base, plural, created["metadata"]["name"]), manifest["kind"]))
        return created

    def cleanup(self):
        """Delete what this check created; returns what it deleted, as Kind/name.

        Cluster-scoped objects from create() go first (newest first), then the scratch namespaces.
        Every deletion is attempted even when an earlier one fails; the first failure is raised after.
        """
        from kubernetes.client.rest import ApiException

        from ansible_collections.ai_conformance.rke2.plugins.module_utils.kube import raw_request

        deleted, failures = [], []
        for path, kind in reversed(self._cluster_objects):
            try:
                raw_request(self.api, "DELETE", path)
                deleted.append("%s/%s" % (kind, path.rsplit("/", 1)[1]))
            except ApiException as exc:
                if exc.status != 404:
                    failures.append(exc)
        self._cluster_objects = []
        for name in self._namespaces:
            try:
                raw_request(self.api, "DELETE", "/api/v1/namespaces/" + name,
                            body={"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"})
                deleted.append("Namespace/" + name)
            except ApiException as exc:
                if exc.status != 404:
                    failures.append(exc)
        self._namespaces = []
        if failures:
            raise failures[0]
        return deleted

    def deadline(self, seconds=None):
        return time.monotonic() + (seconds if seconds is not None else self.timeout)
