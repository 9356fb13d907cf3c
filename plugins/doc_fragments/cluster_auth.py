# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Connection options shared by every module that talks to a cluster (kubernetes.core conventions)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  kubeconfig:
    description:
      - Path to a kubeconfig file.
      - Falls back to E(K8S_AUTH_KUBECONFIG), then E(KUBECONFIG), then C(~/.kube/config).
      - Ignored when O(host) is set.
    type: path
  context:
    description:
      - Kubeconfig context to use. Falls back to E(K8S_AUTH_CONTEXT), then the current context.
    type: str
  host:
    description:
      - URL of the API server, used instead of a kubeconfig. Falls back to E(K8S_AUTH_HOST).
    type: str
  api_key:
    description:
      - Bearer token used with O(host). Falls back to E(K8S_AUTH_API_KEY).
    type: str
  validate_certs:
    description:
      - Verify the API server's certificate. Falls back to E(K8S_AUTH_VERIFY_SSL).
    type: bool
    aliases: [verify_ssl]
  ca_cert:
    description:
      - CA bundle that signs the API server's certificate. Falls back to E(K8S_AUTH_SSL_CA_CERT).
    type: path
    aliases: [ssl_ca_cert]
requirements:
  - python >= 3.11
  - kubernetes >= 30.0.0
"""
