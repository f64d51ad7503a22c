#!/usr/bin/python3
"""oidc_server.py CERT KEY JWKS PORTFILE - an OpenID Connect provider's
discovery over HTTPS for the tests, on 127.0.0.1 and a free port (written to
PORTFILE).  For any path P it answers:
  P/.well-known/openid-configuration  {"issuer": "https://127.0.0.1:PORT/P",
                                       "jwks_uri": "https://127.0.0.1:PORT/P/keys"}
  P/keys                              the JWKS file
except that under /wrongiss the discovery names another issuer."""
import http.server
import json
import ssl
import sys

cert, key, jwks_file, portfile = sys.argv[1:5]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        base = "https://127.0.0.1:%d" % self.server.server_port
        if self.path.endswith("/.well-known/openid-configuration"):
            prefix = self.path[: -len("/.well-known/openid-configuration")]
            issuer = base + ("/someone-else" if prefix == "/wrongiss" else prefix)
            body = json.dumps({"issuer": issuer, "jwks_uri": base + prefix + "/keys"}).encode()
        elif self.path.endswith("/keys"):
            with open(jwks_file, "rb") as f:
                body = f.read()
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(portfile, "w") as f:
    f.write(str(srv.server_port))
srv.serve_forever()
