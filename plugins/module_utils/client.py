# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Cluster connection for every module: option spec, environment fallbacks, a kubernetes ApiClient.

Follows kubernetes.core: the same option names and K8S_AUTH_* variables, so playbooks that
already target a cluster with kubernetes.core work unchanged.
"""

from __future__ import annotations

import os

AUTH_ARG_SPEC = dict(
    kubeconfig=dict(type="path"),
    context=dict(type="str"),
    host=dict(type="str"),
    api_key=dict(type="str", no_log=True),
    validate_certs=dict(type="bool", aliases=["verify_ssl"]),
    ca_cert=dict(type="path", aliases=["ssl_ca_cert"]),
)

_ENV_FALLBACK = dict(
    kubeconfig="K8S_AUTH_KUBECONFIG",
    context="K8S_AUTH_CONTEXT",
    host="K8S_AUTH_HOST",
    api_key="K8S_AUTH_API_KEY",
    validate_certs="K8S_AUTH_VERIFY_SSL",
    ca_cert="K8S_AUTH_SSL_CA_CERT",
)


class ClusterConnectionError(Exception):
    """The cluster could not be reached or the credentials could not be loaded."""


def auth_params(params, environ=None):
    """The connection options with K8S_AUTH_* environment fallbacks applied."""
    environ = os.environ if environ is None else environ
    resolved = {}
    for key, env in _ENV_FALLBACK.items():
        value = params.get(key)
        if value is None and environ.get(env):
            value = environ[env]
            if key == "validate_certs":
                value = value.strip().lower() not in ("0", "false", "no", "off")
        resolved[key] = value
    if resolved["kubeconfig"] is None and not resolved["host"]:
        resolved["kubeconfig"] = environ.get("KUBECONFIG") or os.path.expanduser("~/.kube/config")
    return resolved


def api_client(params, environ=None):
    """A kubernetes.client.ApiClient for the options in params (a module's params dict)."""
    from kubernetes import client, config  # imported late: modules report a missing library cleanly

    auth = auth_params(params, environ)
    configuration = client.Configuration()
    if auth["host"]:
        configuration.host = auth["host"]
        if auth["api_key"]:
            configuration.api_key = {"authorization": "Bearer " + auth["api_key"]}
    else:
        path = auth["kubeconfig"]
        if not path or not os.path.exists(path):
            raise ClusterConnectionError("kubeconfig %s does not exist" % path)
        try:
            config.load_kube_config(config_file=path, context=auth["context"],
                                    client_configuration=configuration)
        except Exception as exc:  # kubernetes raises ConfigException and ValueError alike
            raise ClusterConnectionError("cannot load kubeconfig %s (context %s): %s"
                                         % (path, auth["context"] or "current", exc))
    if auth["validate_certs"] is not None:
        configuration.verify_ssl = auth["validate_certs"]
    if auth["ca_cert"]:
        configuration.ssl_ca_cert = auth["ca_cert"]
    return client.ApiClient(configuration)


def server_version(api):
    """The API server's /version document (gitVersion, major, minor, ...)."""
    from kubernetes import client

    info = client.VersionApi(api).get_code()
    return {"gitVersion": info.git_version, "major": info.major, "minor": info.minor, "platform": info.platform}


def connect(module):
    """ApiClient for an AnsibleModule's connection options; on failure fail_json with one line.

    Loading the kubeconfig is checked here; reachability is checked by the first request
    (conformance_info asks for /version before anything else).
    """
    try:
        return api_client(module.params)
    except ImportError as exc:
        module.fail_json(msg="the kubernetes Python library is required: %s" % exc)
    except ClusterConnectionError as exc:
        module.fail_json(msg=str(exc))
    return None  # not reached: fail_json exits


def enable_read_cache(api):
    """Serve repeated identical GETs on this ApiClient from memory (a passive run's snapshot).

    Passive checks each list nodes, ResourceSlices, CRDs, ... independently; at 1,000 nodes the repeated
    node lists (and their decoding into typed objects) dominated the run. With the cache every distinct
    GET goes to the API server once per conformance_check call, and its decoded form is reused.
    Only successful GETs of API objects are cached; proxied requests (metrics scrapes) and every write
    go through. Never enable it for active checks: they poll for changes.
    """
    responses, decoded, cached_ids = {}, {}, set()
    call_api, deserialize = api.call_api, api.response_deserialize

    def cached_call(method, url, header_params=None, body=None, post_params=None, _request_timeout=None):
        path = url.split("?", 1)[0]
        if method != "GET" or "/proxy" in path:
            return call_api(method, url, header_params=header_params, body=body, post_params=post_params,
                            _request_timeout=_request_timeout)
        key = (url, tuple(sorted((header_params or {}).items())))
        if key not in responses:
            response = call_api(method, url, header_params=header_params, body=body, post_params=post_params,
                                _request_timeout=_request_timeout)
            response.read()
            if not 200 <= response.status < 300:
                return response
            responses[key] = response
            cached_ids.add(id(response))  # kept alive in responses, so the id stays unique
        return responses[key]

    def cached_deserialize(response_data, response_types_map=None):
        if id(response_data) not in cached_ids:
            return deserialize(response_data, response_types_map)
        key = (id(response_data), tuple(sorted((response_types_map or {}).items())))
        if key not in decoded:
            decoded[key] = deserialize(response_data, response_types_map)
        return decoded[key]

    api.call_api = cached_call
    api.response_deserialize = cached_deserialize
    return api
