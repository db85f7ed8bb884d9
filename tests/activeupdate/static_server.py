#!/usr/bin/env python3
"""A static web server for the ActiveUpdate tests, bound to 127.0.0.1 only.

It serves one folder like any static server would, picks a free port itself
and writes that port to a file, because http.server prints its port only in a
log line. Two test paths misbehave on purpose: --endless sends a body that never
ends, and --stall sends a few bytes and then nothing. Every request's path,
client port and headers are appended to --request-log as one JSON object per
line.
"""

import argparse
import functools
import http.server
import json
import os
import ssl
import threading
import time

_CHUNK = b"\0" * 65536
_STALL_SECONDS = 120


class Handler(http.server.SimpleHTTPRequestHandler):
    # HTTP/1.1 keeps connections open, as production servers do.
    protocol_version = "HTTP/1.1"

    def __init__(self, *args, settings, **kwargs):
        self.settings = settings
        super().__init__(*args, **kwargs)

    def do_GET(self):
        self._record()
        if self.path == self.settings.endless:
            self._send_endless()
        elif self.path == self.settings.stall:
            self._send_stalled()
        else:
            super().do_GET()

    def _record(self):
        if not self.settings.request_log:
            return
        # The client port lets the tests check whether requests shared a connection.
        line = json.dumps({"path": self.path, "client_port": self.client_address[1],
                           "headers": dict(self.headers.items())})
        with self.settings.log_lock, open(self.settings.request_log, "a") as log:
            log.write(line + "\n")

    def _send_endless(self):
        self.send_response(200)
        self.send_header("Connection", "close")
        self.end_headers()
        try:
            while True:
                self.wfile.write(_CHUNK)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def _send_stalled(self):
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.write(b"x" * 10)
        self.wfile.flush()
        time.sleep(_STALL_SECONDS)
        self.close_connection = True


def write_port(path, port):
    temporary = path + ".tmp"
    with open(temporary, "w") as out:
        out.write(f"{port}\n")
    os.replace(temporary, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", required=True, help="folder to serve")
    parser.add_argument("--port-file", required=True, help="file that receives the port")
    parser.add_argument("--endless", default="", help="URL path whose body never ends")
    parser.add_argument("--stall", default="", help="URL path that stops sending after 10 bytes")
    parser.add_argument("--request-log", default="", help="file for one JSON line per request")
    parser.add_argument("--tls-cert", default="", help="PEM certificate; serves https when set")
    parser.add_argument("--tls-key", default="", help="PEM private key of --tls-cert")
    settings = parser.parse_args()
    settings.log_lock = threading.Lock()

    handler = functools.partial(Handler, directory=settings.root, settings=settings)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    if settings.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(settings.tls_cert, settings.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    write_port(settings.port_file, server.server_address[1])
    server.serve_forever()


if __name__ == "__main__":
    main()
