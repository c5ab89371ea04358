"""A tiny JSON-over-HTTP service using only the standard library."""

import json
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(os.environ.get("PORT", "8000"))


class Handler(BaseHTTPRequestHandler):
    server_version = "python-web/1.0"

    def do_GET(self):
        if self.path == "/healthz":
            self._send(200, "text/plain; charset=utf-8", b"ok\n")
        elif self.path == "/":
            body = {
                "service": "python-web",
                "python": sys.version.split()[0],
                "uid": os.getuid(),
            }
            self._send(200, "application/json", json.dumps(body).encode() + b"\n")
        else:
            self._send(404, "application/json", b'{"error": "not found"}\n')

    def _send(self, status, content_type, payload):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))


def main():
    server = ThreadingHTTPServer(("0.0.0.0", PORT), Handler)

    # As PID 1 in a container the default SIGTERM action is ignored, so
    # `docker stop` would wait out its timeout without this handler.
    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    print(f"python-web listening on :{PORT}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
