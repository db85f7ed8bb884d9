#!/usr/bin/env python3
"""A Smart Scan Server that is lost after the scan starts: /v1/health answers 200,
so the scanner starts, but every scan query gets 503, so the files that need a
query are bypassed. Listens on 127.0.0.1 and writes its port to the file given
with --port-file, as smartscan-server does."""
from loopback_http import JsonHandler, serve


class Handler(JsonHandler):
    def do_GET(self):
        if self.path.startswith("/v1/health"):
            self.answer(200, b'{"status": "ready", "pattern_version": 1}')
        else:
            self.answer(404, b'{"error": "not found"}')

    def do_POST(self):
        self.read_body()
        self.answer(503, b'{"error": "overloaded"}', [("Retry-After", "0")])


serve(Handler)
