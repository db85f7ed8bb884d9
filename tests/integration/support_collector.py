#!/usr/bin/env python3
"""A support desk that accepts case bundles: every POST body is saved as
OUTPUT/<X-Odscan-Case header>.zip and answered 201. Listens on 127.0.0.1 and
writes its port to the file given with --port-file, as smartscan-server does."""
import os

from loopback_http import JsonHandler, argument, serve

output = argument("--output")


class Handler(JsonHandler):
    def do_POST(self):
        body = self.read_body()
        name = self.headers.get("X-Odscan-Case", "unnamed")
        if not name.replace("-", "").isalnum():
            self.answer(400, b'{"error": "bad case id"}')
            return
        with open(os.path.join(output, name + ".zip"), "wb") as bundle:
            bundle.write(body)
        self.answer(201, b'{"ticket": "SUP-1"}')


serve(Handler)
