#!/usr/bin/env python3
"""A support desk that accepts case bundles: every POST body is saved as
OUTPUT/<X-Odscan-Case header>.zip and answered 201. Listens on 127.0.0.1 and
writes its port to the file given with --port-file, as smartscan-server does."""
import http.server
import os
import sys

output = sys.argv[sys.argv.index("--output") + 1]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        name = self.headers.get("X-Odscan-Case", "unnamed")
        if not name.replace("-", "").isalnum():
            self.answer(400, b'{"error": "bad case id"}')
            return
        with open(os.path.join(output, name + ".zip"), "wb") as bundle:
            bundle.write(body)
        self.answer(201, b'{"ticket": "SUP-1"}')

    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
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
