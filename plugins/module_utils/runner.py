# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""Runs one check: times it, turns exceptions into an 'error' result, always cleans up."""

from __future__ import annotations

import time

from ansible_collections.ai_conformance.rke2.plugins.module_utils.checks import CHECKS
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import (
    ERROR, CheckResult, Step)


def describe_exception(exc):
    """One line for an exception, with the HTTP status and reason for API errors."""
    unreachable = _unreachable(exc)
    if unreachable:
        return unreachable
    status = getattr(exc, "status", None)
    if status is not None:
        reason = getattr(exc, "reason", "") or ""
        if status == 403:
            return "forbidden (403): the credentials lack RBAC permission: %s" % _api_message(exc)
        return "API error %s %s: %s" % (status, reason, _api_message(exc))
    return "%s: %s" % (type(exc).__name__, exc)


def _unreachable(exc):
    """'cannot reach the API server ...' for connection-level failures (refused, DNS, TLS), else None."""
    try:
        from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError, SSLError
    except ImportError:  # pragma: no cover - urllib3 comes with kubernetes
        return None
    if isinstance(exc, MaxRetryError):
        reason = exc.reason
        if isinstance(reason, NewConnectionError):
            reason = str(reason).split(": ", 1)[-1]
        return "cannot reach the API server at %s://%s:%s: %s" % (
            getattr(exc.pool, "scheme", "https"), getattr(exc.pool, "host", "?"), getattr(exc.pool, "port", "?"),
            " ".join(str(reason).split()))
    if isinstance(exc, (NewConnectionError, ProtocolError, SSLError)):
        return "cannot reach the API server: %s" % " ".join(str(exc).split())
    return None


def _api_message(exc):
    import json

    body = getattr(exc, "body", None)
    try:
        return json.loads(body).get("message", body)
    except (TypeError, ValueError, AttributeError):
        return body or str(exc)


def run_check(ctx):
    """Run ctx.requirement_id's check; never raises."""
    started = time.monotonic()
    steps = []
    deleted = []
    try:
        steps = list(CHECKS[ctx.requirement_id](ctx))
    except Exception as exc:  # one failing check must never stop the others
        steps.append(Step("exception", ERROR, describe_exception(exc)))
    finally:
        try:
            deleted = ctx.cleanup()
        except Exception as exc:
            steps.append(Step("cleanup", ERROR, "cleanup failed: " + describe_exception(exc)))
    result = CheckResult(ctx.requirement_id, ctx.level, steps, time.monotonic() - started)
    result.cleaned_up = deleted
    return result
