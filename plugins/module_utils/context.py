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
        self.started = time.monotonic()

    def setting(self, key, default=None):
        return self.settings.get(key, default)

    @property
    def labels(self):
        return {VERIFIER_LABEL: "true", VERIFIER_LABEL + "-run": self.run_id}

    def scratch_namespace(self):
        """Create a fresh, labelled namespace for an active check; removed by cleanup()."""
        from kubernetes import client

        name = "aiconf-%s-%s" % (self.requirement_id.replace("_", "-")[:30], self.run_id)
        client.CoreV1Api(self.api).create_namespace(
            client.V1Namespace(metadata=client.V1ObjectMeta(name=name, labels=self.labels)))
        self._namespaces.append(name)
        return name

    def cleanup(self):
        """Delete what this check created; returns the names it asked to delete."""
        from kubernetes import client
        from kubernetes.client.rest import ApiException

        core = client.CoreV1Api(self.api)
        for name in self._namespaces:
            try:
                core.delete_namespace(name, propagation_policy="Background")
            except ApiException as exc:
                if exc.status != 404:
                    raise
        deleted, self._namespaces = self._namespaces, []
        return deleted

    def deadline(self, seconds=None):
        return time.monotonic() + (seconds if seconds is not None else self.timeout)
