"""STAND-IN inference server for the simulated cluster: pods on kwok nodes run no containers, so this
local process plays the part of an AI inference workload exposing Prometheus metrics, like the stub
the upstream ai_service_metrics test deploys (ai_conformance_inference_requests_total,
..._request_duration_seconds, ..._queue_depth). It answers OpenAI-style requests with a fixed text.

Run: python -m tests.sim.addons.inference_standin --port P [--model NAME]
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
STAND_IN = "STAND-IN: simulated inference server (no model runs), not a real workload"


class Metrics:
    def __init__(self, model):
        self.model = model
        self.lock = threading.Lock()
        self.requests = {}  # (endpoint, code) -> count
        self.buckets = [0] * len(BUCKETS)
        self.count = 0
        self.total = 0.0
        self.queue = 0

    def observe(self, endpoint, code, seconds):
        with self.lock:
            self.requests[(endpoint, code)] = self.requests.get((endpoint, code), 0) + 1
            self.count += 1
            self.total += seconds
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    self.buckets[i] += 1

    def text(self):
        m = 'model="%s"' % self.model
        with self.lock:
            lines = ["# HELP ai_conformance_inference_requests_total Inference requests served. [%s]" % STAND_IN,
                     "# TYPE ai_conformance_inference_requests_total counter"]
            lines += ['ai_conformance_inference_requests_total{%s,endpoint="%s",code="%s"} %d' % (m, e, c, n)
                      for (e, c), n in sorted(self.requests.items())]
            lines += ["# HELP ai_conformance_inference_request_duration_seconds Request latency. [%s]" % STAND_IN,
                      "# TYPE ai_conformance_inference_request_duration_seconds histogram"]
            lines += ['ai_conformance_inference_request_duration_seconds_bucket{%s,le="%s"} %d' % (m, b, n)
                      for b, n in zip(BUCKETS, self.buckets)]
            lines += ['ai_conformance_inference_request_duration_seconds_bucket{%s,le="+Inf"} %d' % (m, self.count),
                      "ai_conformance_inference_request_duration_seconds_sum{%s} %s" % (m, repr(self.total)),
                      "ai_conformance_inference_request_duration_seconds_count{%s} %d" % (m, self.count),
                      "# HELP ai_conformance_inference_queue_depth Requests waiting. [%s]" % STAND_IN,
                      "# TYPE ai_conformance_inference_queue_depth gauge",
                      "ai_conformance_inference_queue_depth{%s} %d" % (m, self.queue)]
        return "\n".join(lines) + "\n"


def make_handler(metrics):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):
            pass

        def _send(self, code, body, ctype="application/json"):
            data = body.encode()
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                return self._send(200, metrics.text(), "text/plain; version=0.0.4; charset=utf-8")
            if path in ("/healthz", "/health"):
                return self._send(200, json.dumps({"ok": True, "stand_in": STAND_IN}))
            if path == "/v1/models":
                return self._send(200, json.dumps({"data": [{"id": metrics.model, "object": "model"}]}))
            return self._send(404, json.dumps({"error": "not found"}))

        def do_POST(self):
            started = time.monotonic()
            path = self.path.split("?", 1)[0]
            with metrics.lock:
                metrics.queue += 1
            try:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if path not in ("/v1/completions", "/v1/chat/completions"):
                    code, answer = 404, {"error": "not found"}
                else:
                    code, answer = 200, {"object": "text_completion", "model": body.get("model", metrics.model),
                                         "choices": [{"index": 0, "text": "stand-in answer"}]}
            except ValueError:
                code, answer = 400, {"error": "body is not JSON"}
            finally:
                with metrics.lock:
                    metrics.queue -= 1
            metrics.observe(path, code, time.monotonic() - started)
            self._send(code, json.dumps(answer))

    return Handler


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--model", default="stand-in-model")
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer((args.address, args.port), make_handler(Metrics(args.model)))
    sys.stderr.write("inference stand-in on http://%s:%d (%s)\n" % (args.address, args.port, STAND_IN))
    server.serve_forever()


if __name__ == "__main__":
    main()
