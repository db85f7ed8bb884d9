"""What the stand-in HTTP servers of the integration tests share: a handler base
that answers JSON and logs nothing, and serve(), which listens on 127.0.0.1 on a
free port and writes the port to the file given with --port-file, as
smartscan-server does."""
import http.server
import os
import sys


class JsonHandler(http.server.BaseHTTPRequestHandler):
    def answer(self, status, body, headers=()):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def log_message(self, *args):
        pass


def argument(name):
    """Returns the value after `name` on the command line."""
    return sys.argv[sys.argv.index(name) + 1]


def serve(handler):
    port_path = argument("--port-file")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    with open(port_path + ".tmp", "w") as port_file:
        port_file.write(str(server.server_address[1]))
    os.replace(port_path + ".tmp", port_path)
    server.serve_forever()
