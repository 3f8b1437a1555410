#!/usr/bin/env python3
"""Old and new binary, answer for answer: a guard for restructurings.

Starts two `scopelink serve` processes on 127.0.0.1 (the binaries given, each
with its embedded catalog) and sends both the same requests: every operation
of openapi/klaviyo-scopes.json in every text form the resolver reads (method
and path, URL with IDs, operationId, each alias), with every include value
alone and all together, full and minimal, on `POST /v1/links`,
`GET /v1/links` and `GET /go`; every operation's `GET /v1/operations/{id}`;
the other routes; and a list of error forms (unknown names, typos, wrong
methods, key-like inputs, bad includes, limits, malformed bodies, bad
queries, bad media types, 404 and 405). It compares the status, the headers
that are part of an answer and the body, byte for byte.

Usage: scripts/compare-answers.py --old OLD_BINARY --new NEW_BINARY [--show N]
Exits 1 and prints the first N differences (default 10) if any answer
differs; prints how many requests were compared either way.

To compare a change with the commit before it:
  git worktree add /tmp/before HEAD~1 && (cd /tmp/before && cargo build --release)
  cargo build --release
  scripts/compare-answers.py --old /tmp/before/target/release/scopelink --new target/release/scopelink
"""

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Headers that belong to the answer; the rest (date, x-request-id) differ by run.
COMPARED_HEADERS = [
    "content-type",
    "location",
    "etag",
    "cache-control",
    "allow",
    "vary",
    "content-security-policy",
    "access-control-expose-headers",
    "www-authenticate",
]

KEY = "pk_4f1c2a9b8e7d6c5b4a39281706f5e4d3c2"


def start(binary):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCOPELINK_")}
    env.update({"SCOPELINK_LOG_FORMAT": "json", "RUST_LOG": "info"})
    process = subprocess.Popen(
        [binary, "serve", "--bind", "127.0.0.1:0", "--workers", "1",
         # Every request is computed, never served from the answer cache.
         "--answer-cache-bytes", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True,
    )
    deadline = time.time() + 60
    for line in process.stdout:
        match = re.search(r'listening on \S*:(\d+)|"port":(\d+)', line)
        if match:
            port = int(match.group(1) or match.group(2))
            break
        if time.time() > deadline:
            raise SystemExit(f"{binary} did not start")
    else:
        raise SystemExit(f"{binary} exited before listening")
    threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
    return process, port


class Server:
    def __init__(self, binary):
        self.process, self.port = start(binary)
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def send(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if body is not None and not isinstance(body, bytes):
            body = json.dumps(body).encode()
            headers.setdefault("content-type", "application/json")
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                # The server closed the connection (as after a 413): open another.
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt:
                    raise
        kept = {name: response.getheader(name) for name in COMPARED_HEADERS}
        # actix-cors lists the exposed headers from a set, in no fixed order.
        exposed = kept["access-control-expose-headers"]
        if exposed:
            kept["access-control-expose-headers"] = ", ".join(sorted(exposed.split(", ")))
        return response.status, kept, data

    def stop(self):
        self.connection.close()
        self.process.terminate()
        self.process.wait(timeout=60)


def quote(text):
    return urllib.parse.quote(text, safe="")


def with_ids(path):
    """The path with each `{param}` an ID-like value, as code calls it."""
    return re.sub(r"\{[^}]*\}", "01HXABCDEF$custom:::x", path)


def operation_requests(operations):
    """Every operation in every form, alone and with its includes."""
    for op in operations:
        revision = op.get("beta_revision")
        includes = [inc["value"] for inc in op.get("includes", [])]
        host = "https://a.klaviyo.com" if not op.get("client") else "https://a.klaviyo.com"
        texts = [
            f"{op['method']} {op['path']}",
            f"{op['method'].lower()} {host}{with_ids(op['path'])}/",
            op["operation_id"],
            *op.get("aliases", []),
        ]
        if includes:
            texts.append(f"{op['method']} {op['path']}?include={','.join(includes)}")
            texts.append(f"{op['method']} {with_ids(op['path'])}?include={includes[0]}&fields[x]=y")
        structured = [{"operation": op["operation_id"], "include": [inc]} for inc in includes]
        if includes:
            structured.append({"operation": op["operation_id"], "include": includes})
        for minimal in (False, True):
            for revision_asked in ([None, revision] if revision else [None]):
                body = {"operations": texts + structured, "minimal": minimal, "partial": True}
                if revision_asked:
                    body["revision"] = revision_asked
                yield "POST", "/v1/links", body
        for text in texts:
            query = f"op={quote(text)}" + (f"&revision={quote(revision)}" if revision else "")
            yield "GET", f"/v1/links?{query}", None
            yield "GET", f"/go?{query}&utm_source=docs", None
        yield "GET", f"/v1/operations/{quote(op['operation_id'])}", None


ERROR_TEXTS = [
    "", " ", "get_profils", "get-profiles", "GetProfiles", "klaviyo.Profiles.get_profiles",
    "Profiles.getProfiles", "profiles_api.get_profiles", "FETCH /api/profiles",
    "PUT /api/profiles", "DELETE /api/profiles", "GET /api/profile", "GET /api/profiles/",
    "GET api/profiles", "GET /api/profiles/{id}/lists/{x}", "GET https://evil.example/api/profiles",
    "GET http://a.klaviyo.com/api/profiles", "GET https://a.klaviyo.com/api/profiles#frag",
    "GET /api/profiles?include=lists", "GET /api/profiles?include=", "GET /api/profiles?include=,,",
    f"GET /api/profiles?api_key={KEY}", KEY, f"Klaviyo-API-Key {KEY}",
    "GET /api/v1/lists", "GET /api/v2/list/ABC/members", "POST /api/track", "GET /v1/metrics",
    "GET /client/profiles", "POST /client/subscriptions", "GET /api/profiles/%2F/x",
    "GET /api/catalog-items/$custom:::$default:::SKU", "GET /api/profiles/${id}",
    "GET /api/profiles/#{id}", "GET /api/profiles/%s", "GET /api/profiles/:id",
    "GET /api/profiles/<id>", "GET /api/profiles/{{ id }}", "GET \"/api/profiles/\" + id",
    "get profiles", "GET", "/api/profiles", "POST", "x" * 3000, "é☃", "GET /api/prófiles",
    "a\u0001b", "get_\"profiles\"", "GET /api/lists\\x", "GET /api/events?include=metric,profile",
    "GET /api/events?include=metric&include=profile", "GET /api/events?include=Metric",
]

ERROR_STRUCTURED = [
    {"operation": "get_events", "include": ["bogus"]},
    {"operation": "get_events", "include": []},
    {"operation": "get_events", "include": ["metric", "metric"]},
    {"operation": "get_profils", "include": ["lists"]},
    {"operation": "", "include": []},
    {"operation": "GET /api/events?include=metric", "include": ["profile"]},
]

BAD_BODIES = [
    b"", b"{", b"[]", b"null", b'{"operations":"a"}', b'{"operations":[1]}',
    b'{"operations":[null]}', b'{"operations":[]}', b'{"minimal":true}',
    b'{"operations":["a"],"extra":1}', b'{"operations":["a"],"operations":["b"]}',
    b'{"operations":["a"],"minimal":"yes"}', b'{"operations":["a"],"revision":7}',
    b'{"operations":["get_profiles"],"revision":"2099-01-01"}',
    b'{"operations":["get_profiles"],"revision":"latest"}',
    b'{"operations":["get_profiles"],"revision":""}',
    b'{"operations":["\xff"]}', b'\xef\xbb\xbf{"operations":["a"]}',
    b'{"operations":[{"operation":"x","extra":1}]}', b'{"operations":["a",]}',
    b'{"operations":["a"]}x', b'{"operations":["a\\u0041","\\/x"]}',
]


def error_requests(operations):
    for text in ERROR_TEXTS:
        for partial in (False, True):
            yield "POST", "/v1/links", {"operations": [text, "get_profiles"], "partial": partial}
        yield "GET", f"/v1/links?op={quote(text)}", None
        yield "GET", f"/go?op={quote(text)}", None
    for item in ERROR_STRUCTURED:
        yield "POST", "/v1/links", {"operations": [item]}
    yield "POST", "/v1/links", {"operations": ERROR_TEXTS + ERROR_STRUCTURED, "partial": True}
    for body in BAD_BODIES:
        yield "POST", "/v1/links", body
    names = [op["operation_id"] for op in operations]
    yield "POST", "/v1/links", {"operations": names[:256]}
    yield "POST", "/v1/links", {"operations": names[:257]}
    yield "POST", "/v1/links", b'{"operations":["' + b"a" * 70000 + b'"]}'
    for query in ["", "op=", "op=get_profiles&minimal=yes", "op=get_profiles&minimal=true&minimal=false",
                  "op=get_profiles&bogus=1", "op=get_profiles&revision=2099-01-01",
                  "op=get_profiles&partial=true&op=nope", "op=%ZZ", "op=get_profiles&minimal=1",
                  "op=get_profiles&op=get_lists&minimal=true&revision=2026-07-15"]:
        yield "GET", f"/v1/links?{query}", None
        yield "GET", f"/go?{query}", None
    yield "GET", "/v1/links?" + "&".join(f"op={quote(n)}" for n in names[:257]), None
    yield "GET", "/go?op=" + "x" * 9000, None
    # Routes and methods.
    for method, path in [("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/v1/catalog"),
                         ("GET", "/v1/operations"), ("GET", "/v1/operations?tag=Profiles"),
                         ("GET", "/v1/operations?q=profile"), ("GET", "/v1/operations?bogus=1"),
                         ("GET", "/v1/scopes"), ("GET", "/v1/scopes?bogus=1"),
                         ("GET", "/v1/operations/nope"), ("GET", "/v1/operations/get_profils"),
                         ("GET", "/openapi.json"), ("GET", "/"), ("GET", "/?op=get_profiles"),
                         ("GET", "/nope"), ("DELETE", "/v1/links"), ("PUT", "/go"),
                         ("GET", "/v1/audit"), ("POST", "/healthz"), ("GET", "/assets/app.js"),
                         ("GET", "/assets/style.css"), ("GET", "/assets/favicon.svg"),
                         ("GET", "/assets/nope.js"), ("HEAD", "/"), ("POST", "/"),
                         ("DELETE", "/assets/app.js")]:
        yield method, path, None
    yield "POST", "/v1/links", (b'{"operations":["get_profiles"]}', {"content-type": "text/plain"})
    # Audit, OAuth, HAR and source: the other answers built on the resolver.
    link = "https://www.klaviyo.com/create-private-api-key?scopes=profiles:read,lists:write"
    for body in [{"link": link, "operations": ["get_profiles", "create_list"]},
                 {"link": link, "operations": ["get_profiles"]},
                 {"link": "https://evil.example/?scopes=a", "operations": ["get_profiles"]},
                 {"scopes": ["profiles:read", "bogus:read"], "operations": ["get_profils"]},
                 {"link": link}, {}, b"{"]:
        yield "POST", "/v1/audit", body
    for body in [{"operations": ["get_profiles", "create_list"], "redirect_uri": "https://app.example/cb",
                  "client_id": "abc", "state": "s"},
                 {"operations": ["get_profils"]}, {}, b"["]:
        yield "POST", "/v1/oauth/authorize-url", body
    har = {"log": {"entries": [
        {"request": {"method": "GET", "url": "https://a.klaviyo.com/api/profiles/?include=lists"}},
        {"request": {"method": "POST", "url": "https://a.klaviyo.com/api/lists/"}},
        {"request": {"method": "GET", "url": "https://example.com/x"}},
        {"request": {"method": "PUT", "url": "https://a.klaviyo.com/api/profiles/"}},
    ]}}
    yield "POST", "/v1/links/from-har", har
    yield "POST", "/v1/links/from-har", {"log": {"entries": []}}
    yield "POST", "/v1/links/from-har", b"GET https://a.klaviyo.com/api/lists/\nPOST /api/events/\n"
    yield "POST", "/v1/links/from-source", {"files": [
        {"path": "a.py", "content": "import requests\nrequests.get('https://a.klaviyo.com/api/profiles/')\n"},
        {"path": "b.js", "content": "fetch(`https://a.klaviyo.com/api/lists/${id}`, {method: 'DELETE'})\n"},
    ]}
    yield "POST", "/v1/links/from-source", {"files": []}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", required=True)
    parser.add_argument("--new", required=True)
    parser.add_argument("--show", type=int, default=10)
    args = parser.parse_args()
    with open(os.path.join(REPO, "openapi/klaviyo-scopes.json")) as f:
        operations = json.load(f)["operations"]
    old, new = Server(args.old), Server(args.new)
    compared, differences, statuses = 0, [], {}
    try:
        for generator in (operation_requests(operations), error_requests(operations)):
            for method, path, body in generator:
                headers = None
                if isinstance(body, tuple):
                    body, headers = body
                elif isinstance(body, bytes):
                    headers = {"content-type": "application/json"}
                a = old.send(method, path, body, headers)
                b = new.send(method, path, body, headers)
                compared += 1
                statuses[a[0]] = statuses.get(a[0], 0) + 1
                if a != b:
                    differences.append((method, path, body, a, b))
    finally:
        old.stop()
        new.stop()
    shown = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
    print(f"compare-answers: {compared} requests ({shown}), {len(differences)} answers differ")
    for method, path, body, a, b in differences[: args.show]:
        shown = body if isinstance(body, (dict, type(None))) else body[:200]
        print(f"\n{method} {path[:200]} {json.dumps(shown)[:300] if isinstance(shown, dict) else shown!r}")
        if a[0] != b[0]:
            print(f"  status: {a[0]} -> {b[0]}")
        for name in COMPARED_HEADERS:
            if a[1][name] != b[1][name]:
                print(f"  {name}: {a[1][name]!r} -> {b[1][name]!r}")
        if a[2] != b[2]:
            at = next((i for i, (x, y) in enumerate(zip(a[2], b[2])) if x != y), min(len(a[2]), len(b[2])))
            print(f"  body differs at byte {at}:\n    old …{a[2][max(0, at - 80):at + 120]!r}\n    new …{b[2][max(0, at - 80):at + 120]!r}")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
