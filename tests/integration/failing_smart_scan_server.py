#!/usr/bin/env python3
"""A Smart Scan Server that is lost after the scan starts: /v1/health answers 200,
so the scanner starts, but every scan query gets 503, so the files that need a
query are bypassed. Listens on 127.0.0.1 and writes its port to the file given
with --port-file, as smartscan-server does."""
import http.server
import os
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/v1/health"):
            self.answer(200, b'{"status": "ready", "pattern_version": 1}')
        else:
            self.answer(404, b'{"error": "not found"}')

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        self.answer(503, b'{"error": "overloaded"}', retry_after=True)

    def answer(self, status, body, retry_after=False):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if retry_after:
            self.send_header("Retry-After", "0")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


port_path = sys.argv[sys.argv.index("--port-file") + 1]
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_path + ".tmp", "w") as port_file:
    port_file.write(str(server.server_address[1]))
os.replace(port_path + ".tmp", port_path)
server.serve_forever()
