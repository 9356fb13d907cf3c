#!/usr/bin/env python
"""TCP forwarder from 127.0.0.1:<listen port> inside test-host network namespaces to an API server on
127.0.0.1:<upstream port> of the root namespace (the simulated cluster binds loopback only).

One process serves every host: the listening sockets are opened inside each namespace (setns), the
upstream connections in the root namespace. Usage: apiproxy.py UPSTREAM_PORT NETNS [NETNS...]
"""
import ctypes
import os
import socket
import sys
import threading

LISTEN_PORT = int(os.environ.get("APIPROXY_LISTEN_PORT", "6443"))
CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)


def setns(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns failed")


def pipe(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(listener, upstream_port):
    while True:
        conn = listener.accept()[0]
        try:
            up = socket.create_connection(("127.0.0.1", upstream_port), timeout=5)
            up.settimeout(None)
        except OSError:
            conn.close()
            continue
        threading.Thread(target=pipe, args=(conn, up), daemon=True).start()
        threading.Thread(target=pipe, args=(up, conn), daemon=True).start()


def main():
    upstream_port = int(sys.argv[1])
    root = os.open("/proc/self/ns/net", os.O_RDONLY)
    listeners = []
    for ns in sys.argv[2:]:
        fd = os.open("/run/netns/" + ns, os.O_RDONLY)
        setns(fd)
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", LISTEN_PORT))
        s.listen(64)
        listeners.append(s)
        os.close(fd)
    setns(root)  # upstream connections and all threads live in the root namespace
    for s in listeners:
        threading.Thread(target=serve, args=(s, upstream_port), daemon=True).start()
    print("apiproxy: 127.0.0.1:%d in %s -> 127.0.0.1:%d" % (LISTEN_PORT, ", ".join(sys.argv[2:]), upstream_port),
          flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
