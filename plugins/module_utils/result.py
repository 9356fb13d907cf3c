# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""The outcome of one requirement check, and how partial outcomes combine."""

from __future__ import annotations

PASS = "pass"
FAIL = "fail"
SKIP = "skip"
ERROR = "error"
STATUSES = (PASS, FAIL, SKIP, ERROR)


class Step:
    """One observed part of a check (e.g. 'resources served', 'GPU pod runs')."""

    def __init__(self, name, status, message, evidence=None):
        if status not in STATUSES:
            raise ValueError("unknown status %r" % status)
        if not message or not str(message).strip():
            # a skip must say why, a pass what it saw, a fail what was missing
            raise ValueError("step %r (%s) needs a message" % (name, status))
        self.name = name
        self.status = status
        self.message = message
        self.evidence = evidence if evidence is not None else {}

    def to_dict(self):
        return dict(name=self.name, status=self.status, message=self.message, evidence=self.evidence)


def combine(steps):
    """Overall status of a list of steps.

    error beats fail beats pass beats skip; a check with no step at all is an error, because
    a pass must rest on something observed.
    """
    statuses = {s.status for s in steps}
    for status in (ERROR, FAIL, PASS, SKIP):
        if status in statuses:
            return status
    return ERROR


class CheckResult:
    """What a check returns: status, one-line message and the evidence it observed."""

    def __init__(self, requirement_id, level, steps, duration_s=0.0, message=None):
        self.id = requirement_id
        self.level = level
        self.steps = list(steps)
        self.status = combine(self.steps)
        self.duration_s = duration_s
        self.cleaned_up = []
        self.message = message or self._summary()

    def _summary(self):
        if not self.steps:
            return "no observation was made"
        decisive = [s for s in self.steps if s.status == self.status]
        text = "; ".join(s.message for s in decisive)
        skipped = [s for s in self.steps if s.status == SKIP and self.status != SKIP]
        if skipped:
            text += " (skipped: %s)" % "; ".join(s.message for s in skipped)
        return " ".join(text.split())  # one line, whatever the steps' messages contain

    def to_dict(self):
        # evidence is keyed by step name (one copy; the steps carry name, status and message)
        return dict(
            id=self.id,
            level=self.level,
            status=self.status,
            message=self.message,
            duration_s=round(self.duration_s, 3),
            steps=[dict(name=s.name, status=s.status, message=s.message) for s in self.steps],
            evidence={s.name: s.evidence for s in self.steps if s.evidence},
            cleaned_up=self.cleaned_up,
        )
