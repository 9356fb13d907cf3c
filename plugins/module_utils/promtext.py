# -*- coding: utf-8 -*-
# Copyright: ai_conformance.rke2 contributors
# Apache License 2.0 (see LICENSE)
"""A small parser for the Prometheus text exposition format (and the OpenMetrics text subset
DCGM exporter and Prometheus clients emit). Own code so the verifier needs no extra library on the
managed node; unit-tested in tests/unit/module_utils/test_promtext.py."""

from __future__ import annotations

import re

_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_ESCAPES = {"\\": "\\", '"': '"', "n": "\n"}


class ParseError(ValueError):
    """The text is not in the exposition format; the message names the line."""


class Sample:
    __slots__ = ("name", "labels", "value", "timestamp")

    def __init__(self, name, labels, value, timestamp=None):
        self.name = name
        self.labels = labels
        self.value = value
        self.timestamp = timestamp

    def __repr__(self):
        return "Sample(%r, %r, %r)" % (self.name, self.labels, self.value)


class Exposition:
    """Parsed samples plus the # HELP and # TYPE metadata, keyed by metric family name."""

    def __init__(self):
        self.samples = []
        self.help = {}
        self.types = {}

    def series(self, name):
        return [s for s in self.samples if s.name == name]

    def names(self):
        return sorted({s.name for s in self.samples})


def _parse_labels(text, pos, lineno):
    """Parse '{a="b",...}' starting at text[pos] == '{'; returns (labels, position after '}')."""
    labels = {}
    pos += 1
    while True:
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if pos < len(text) and text[pos] == "}":
            return labels, pos + 1
        match = _LABEL_NAME.match(text, pos)
        if not match:
            raise ParseError("line %d: bad label name at column %d" % (lineno, pos + 1))
        key = match.group(0)
        pos = match.end()
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if text[pos:pos + 2] != '="':
            raise ParseError("line %d: expected =\" after label %s" % (lineno, key))
        pos += 2
        value = []
        while True:
            if pos >= len(text):
                raise ParseError("line %d: unterminated value of label %s" % (lineno, key))
            char = text[pos]
            if char == "\\" and pos + 1 < len(text):
                value.append(_ESCAPES.get(text[pos + 1], "\\" + text[pos + 1]))
                pos += 2
            elif char == '"':
                pos += 1
                break
            else:
                value.append(char)
                pos += 1
        labels[key] = "".join(value)
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if pos < len(text) and text[pos] == ",":
            pos += 1
        elif pos >= len(text) or text[pos] != "}":
            raise ParseError("line %d: expected , or } in the labels of a sample" % lineno)


def _parse_value(token, lineno):
    try:
        return float(token)  # float() accepts NaN, +Inf, -Inf as the format spells them
    except ValueError:
        raise ParseError("line %d: bad sample value %r" % (lineno, token))


def parse(text):
    """Parse exposition text into an Exposition; raises ParseError naming the first bad line."""
    result = Exposition()
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            parts = line[1:].split(None, 2)
            if len(parts) >= 2 and parts[0] in ("HELP", "TYPE"):
                rest = parts[2] if len(parts) > 2 else ""
                if parts[0] == "HELP":
                    result.help[parts[1]] = rest
                else:
                    result.types[parts[1]] = rest.strip()
            continue  # other comments, and OpenMetrics '# EOF'
        match = _NAME.match(line)
        if not match:
            raise ParseError("line %d: bad metric name in %r" % (lineno, line[:80]))
        name, pos = match.group(0), match.end()
        labels = {}
        if pos < len(line) and line[pos] == "{":
            labels, pos = _parse_labels(line, pos, lineno)
        tokens = line[pos:].split(" # ", 1)[0].split()  # drop an OpenMetrics exemplar
        if not tokens or len(tokens) > 2:
            raise ParseError("line %d: expected a value (and optional timestamp) after %s" % (lineno, name))
        timestamp = tokens[1] if len(tokens) > 1 else None
        result.samples.append(Sample(name, labels, _parse_value(tokens[0], lineno), timestamp))
    return result
