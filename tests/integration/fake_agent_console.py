#!/usr/bin/env python3
"""A stand-in for Threat Mitigator that tests the agent's own checks: every
check-in is answered with the commands in FOLDER/commands.json (written by the
test, so they can be forged, misrouted or replayed), command reports are
appended to FOLDER/reports.jsonl, endpoint data is saved as
FOLDER/endpoint-data-N.zip (or refused with 413 while FOLDER/reject-endpoint-data
exists), and the component store has no manifest. Listens on
127.0.0.1 and writes its port to the file given with --port-file."""
import json
import os
import threading

from loopback_http import JsonHandler, argument, serve

folder = argument("--folder")
lock = threading.Lock()


class Handler(JsonHandler):
    def do_POST(self):
        body = self.read_body()
        path = self.path.split("?")[0]
        with lock:
            if path == "/api/v1/agent/check-in":
                with open(os.path.join(folder, "commands.json"), "rb") as commands:
                    answer = {"commands": json.load(commands), "check_in_seconds": 1}
                self.answer(200, json.dumps(answer).encode())
            elif path == "/api/v1/agent/command-state":
                with open(os.path.join(folder, "reports.jsonl"), "ab") as reports:
                    reports.write(body + b"\n")
                self.answer(200, b'{"stored": "state"}')
            elif path == "/api/v1/agent/endpoint-data" and os.path.exists(
                    os.path.join(folder, "reject-endpoint-data")):
                self.answer(413, b'{"error": "the endpoint data is too large"}')
            elif path == "/api/v1/agent/endpoint-data":
                count = len([n for n in os.listdir(folder) if n.startswith("endpoint-data-")])
                with open(os.path.join(folder, "endpoint-data-%d.zip" % count), "wb") as data:
                    data.write(body)
                self.answer(201, b'{"endpoint_data": "d-0000000000000000"}')
            else:
                self.answer(404, b'{"error": "not found"}')

    def do_GET(self):
        self.answer(404, b'{"error": "not found"}')


serve(Handler)
