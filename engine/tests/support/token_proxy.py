"""A bearer-token front for a test registry, on loopback.

Usage: token_proxy.py PORT UPSTREAM_PORT USER PASSWORD LOG

GET /token?scope=repository:NAME:ACTIONS&service=… issues a random token for that scope
to a client presenting USER:PASSWORD as basic credentials (the distribution spec's token
flow). Every /v2/ request must carry `Authorization: Bearer TOKEN` whose scope covers the
repository and the action (GET/HEAD pull, anything else push); otherwise it gets a 401
with a `WWW-Authenticate: Bearer realm=…,service=…,scope=…` challenge. Authorized
requests are forwarded to the registry on UPSTREAM_PORT. Each issued scope is appended
to LOG, one a line.
"""

import base64
import http.client
import json
import re
import secrets
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PORT, UPSTREAM, USER, PASSWORD, LOG = (
    int(sys.argv[1]),
    int(sys.argv[2]),
    sys.argv[3],
    sys.argv[4],
    sys.argv[5],
)
SERVICE = "plimsoll-test-registry"
TOKENS = {}
LOCK = threading.Lock()
REPO = re.compile(r"^/v2/(.+?)/(manifests|blobs|tags)/")


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        sys.stderr.write(fmt % args + "\n")

    def reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def token(self):
        query = parse_qs(urlsplit(self.path).query)
        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            return self.reply(401, b'{"details":"bad credentials"}')
        if query.get("service") != [SERVICE]:
            return self.reply(400, b'{"details":"wrong service"}')
        granted = set()
        for scope in query.get("scope", []):
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            if kind == "repository" and name:
                granted |= {(name, a) for a in actions.split(",")}
            with open(LOG, "a") as log:
                log.write(scope + "\n")
        token = secrets.token_hex(16)
        with LOCK:
            TOKENS[token] = granted
        body = json.dumps({"token": token, "expires_in": 300}).encode()
        self.reply(200, body, [("Content-Type", "application/json")])

    def forward(self):
        path = urlsplit(self.path).path
        if path.startswith("/token"):
            return self.token()
        match = REPO.match(path)
        action = "pull" if self.command in ("GET", "HEAD") else "push"
        auth = self.headers.get("Authorization", "")
        with LOCK:
            granted = TOKENS.get(auth[len("Bearer "):], None) if auth.startswith("Bearer ") else None
        allowed = granted is not None and (match is None or (match.group(1), action) in granted)
        if not allowed:
            realm = f"http://127.0.0.1:{PORT}/token"
            challenge = f'Bearer realm="{realm}",service="{SERVICE}"'
            if match:
                actions = "pull" if action == "pull" else "pull,push"
                challenge += f',scope="repository:{match.group(1)}:{actions}"'
            body = b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}'
            return self.reply(401, body, [("WWW-Authenticate", challenge), ("Content-Type", "application/json")])
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        upstream = http.client.HTTPConnection("127.0.0.1", UPSTREAM)
        upstream.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        # Headers may repeat (several Accept lines): pass each one on.
        for name, value in self.headers.items():
            if name.lower() not in ("authorization", "connection"):
                upstream.putheader(name, value)
        upstream.endheaders(body)
        response = upstream.getresponse()
        data = response.read()
        passed = [
            (k, v)
            for k, v in response.getheaders()
            if k.lower() not in ("content-length", "transfer-encoding", "connection")
        ]
        upstream.close()
        self.reply(response.status, data, passed)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = forward


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
