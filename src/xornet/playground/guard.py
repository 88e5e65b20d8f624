"""Who may talk to the playground: the checks that keep a local tool from becoming a door.

- **Host** (DNS rebinding): a web page on evil.example can make its own name resolve to
  127.0.0.1, but the browser then still sends ``Host: evil.example``. Only a Host naming this
  server with the served port gets an answer: a loopback address (127.0.0.0/8, ::1),
  ``localhost``, or the ``--host`` given (and, when that is a wildcard such as 0.0.0.0, any IP
  address of the machine: an address typed as digits cannot be rebound). Any other Host —
  another name, another IP, another port, none, or two Host headers — gets 403.
- **Origin**: a browser names the page that opens a WebSocket or sends a POST. Only the
  playground's own page (``http://`` + the Host) may; a WebSocket without an Origin is
  refused too, a POST without one (a script, curl) is allowed.
- No CORS headers are ever sent, so no other site can read an answer.

The middleware runs before routing, for HTTP and WebSocket alike.
"""

import ipaddress
import json

LOCAL_NAMES = ("localhost",)


def split_host(value):
    """``"127.0.0.1:8765"`` → ("127.0.0.1", "8765"); ``"[::1]:80"`` → ("::1", "80")."""
    if value.startswith("["):
        name, _, rest = value[1:].partition("]")
        return name, rest[1:] if rest.startswith(":") else None
    name, sep, port = value.rpartition(":")
    return (name, port) if sep else (value, None)


def is_ip(name):
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def is_local(host):
    """True for names that only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host.lower() in LOCAL_NAMES:
        return True
    return is_ip(host) and ipaddress.ip_address(host).is_loopback


class Guard:
    """Host and Origin checks for a server bound to ``host`` on ``port``."""

    def __init__(self, host, port):
        self.names = {*LOCAL_NAMES, host.lower().strip("[]")}
        self.port = str(port)
        self.any_ip = host.strip("[]") in ("0.0.0.0", "::", "")  # bound to every address

    def host_ok(self, host_header):
        if not host_header:
            return False
        name, port = split_host(host_header.lower())
        if port != self.port:
            return False
        return name in self.names or is_local(name) or (self.any_ip and is_ip(name))

    def origin_ok(self, origin, host_header):
        return origin is not None and origin.lower() == f"http://{host_header.lower()}"


class GuardMiddleware:
    """Refuses, with 403, requests for other hosts and cross-origin sockets and posts."""

    def __init__(self, app, guard):
        self.app, self.guard = app, guard

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        host, origin = headers.get("host", ""), headers.get("origin")
        hosts = [v for k, v in scope["headers"] if k.lower() == b"host"]
        problem = None
        if len(hosts) > 1:
            problem = "host: the request has two Host headers; send one."
        elif not self.guard.host_ok(host):
            problem = (f"host: {host or 'no Host header'} is not this playground's address; "
                       "open the URL that xornet playground printed.")
        elif scope["type"] == "websocket" and not self.guard.origin_ok(origin, host):
            problem = (f"origin: {origin or 'no Origin'} may not open the playground's socket; "
                       "only the playground's own page may.")
        elif (scope["type"] == "http" and scope["method"] not in ("GET", "HEAD")
              and origin is not None and not self.guard.origin_ok(origin, host)):
            problem = (f"origin: {origin} may not send requests to the playground; only the "
                       "playground's own page may.")
        if problem is None:
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            # Closing before accepting makes the server answer the handshake with 403.
            return await send({"type": "websocket.close", "code": 1008, "reason": problem})
        body = json.dumps({"error": problem}).encode()
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
