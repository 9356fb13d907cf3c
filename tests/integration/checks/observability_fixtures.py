"""Test fixtures for the observability/scheduling/operator check tests (not product code).

`fixture_http_server` is a TEST FIXTURE: a tiny HTTP server on 127.0.0.1 serving canned responses
(e.g. metrics text in the exposition format). It stands in for an exporter endpoint so the checks'
discovery, transport and parsing run against the real API server; it never stands for a controller.
`external_name_service` is the Service that points at it, the way the add-ons engineer's
out-of-cluster processes are published on the simulated cluster.
"""

from __future__ import annotations

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from kubernetes import client


@contextlib.contextmanager
def fixture_http_server(routes):
    """Serve {path: (content_type, body)} on 127.0.0.1:<free port>; yields the port. Requests are recorded."""
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            seen.append(self.path)
            path = self.path.split("?", 1)[0]
            if path not in routes:
                self.send_response(404)
                self.end_headers()
                return
            ctype, body = routes[path]
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.requests = seen
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def external_name_service(namespace, name, port, labels=None, annotations=None, port_name="metrics"):
    """A Service of type ExternalName pointing at 127.0.0.1 with one declared port."""
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": namespace, "labels": labels or {},
                         "annotations": annotations or {}},
            "spec": {"type": "ExternalName", "externalName": "127.0.0.1",
                     "ports": [{"name": port_name, "port": port, "protocol": "TCP"}]}}


@contextlib.contextmanager
def scratch_namespace(api, prefix):
    """A namespace for one test, deleted afterwards."""
    import uuid

    core = client.CoreV1Api(api)
    name = "%s-%s" % (prefix, uuid.uuid4().hex[:6])
    core.create_namespace({"metadata": {"name": name}})
    try:
        yield name
    finally:
        core.delete_namespace(name)
