#!/usr/bin/env python3
"""Instructions per request, by callgrind, for scripts/cost.sh.

Each case runs its server twice under `valgrind --tool=callgrind`, once with
SHORT and once with LONG requests sent one after another on one keep-alive
connection to 127.0.0.1; (Ir(LONG) - Ir(SHORT)) / (LONG - SHORT) is the cost
of one request with start-up and shutdown cancelled out. Only loopback is used.

Quick runs: `--case healthz --case "cache hit"` measures only the cases whose
names contain one of the given texts (the bare cases their ratios need are
added); `--keep DIR` keeps each run's callgrind files there, named after the case
(`NAME.callgrind` for LONG, `NAME.short.callgrind`), for `callgrind_annotate`;
scripts/cost/diff.py prints the per-request cost by function from the pair.
"""

import argparse
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

SHORT, LONG = 200, 1200
FIVE_OPS = [
    "GET /api/profiles/01HXPROFILE?include=lists",
    "PATCH /api/profiles/01HXPROFILE",
    "GET /api/lists/Y6nRLr/profiles",
    "DELETE /api/catalog-items/$custom:::$default:::SKU-1",
    "GET /api/events/4vRpBT?include=metric",
]


def five_unique(n):
    """The same five calls with IDs that change every request."""
    return [
        f"GET /api/profiles/01HX{n:08d}?include=lists",
        f"PATCH /api/profiles/01HY{n:08d}",
        f"GET /api/lists/L{n:07d}/profiles",
        f"DELETE /api/catalog-items/$custom:::$default:::SKU-{n}",
        f"GET /api/events/E{n:07d}?include=metric",
    ]


def hundred_ops(repo):
    with open(os.path.join(repo, "openapi/klaviyo-scopes.json")) as f:
        table = json.load(f)
    ops = [op for op in table["operations"] if not op.get("beta_revision") and not op.get("client")]
    return [f"{op['method']} {op['path']}" for op in ops[:100]]


def body(ops):
    return json.dumps({"operations": ops}).encode()


def start(command, env):
    """Starts a server under callgrind; returns (process, port, out file)."""
    out = tempfile.NamedTemporaryFile(prefix="scopelink-cost-", suffix=".callgrind", delete=False).name
    process = subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    deadline = time.time() + 120
    for line in process.stdout:
        match = re.search(r'listening on (\d+)|"port":(\d+)', line)
        if match:
            port = int(match.group(1) or match.group(2))
            break
        if time.time() > deadline:
            raise SystemExit("the server did not start")
    else:
        raise SystemExit(f"the server exited before listening: {command}")
    # Keep reading the logs so the server never blocks on a full pipe.
    import threading

    threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
    return process, port, out


def stop(process, out, keep=None):
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=300)
    with open(out) as f:
        text = f.read()
    if keep:
        os.replace(out, keep)
    else:
        os.unlink(out)
    match = re.search(r"^totals: (\d+)", text, re.M) or re.search(r"^summary: (\d+)", text, re.M)
    return int(match.group(1))


def run(command, env, requests, count, keep=None):
    process, port, out = start(command, env)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    for n in range(count):
        method, path, payload = requests(n)
        headers = {"content-type": "application/json"} if payload is not None else {}
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"{method} {path}: HTTP {response.status}")
    connection.close()
    return stop(process, out, keep)


def per_request(command, env, requests, keep=None):
    short = run(command, env, requests, SHORT, keep and keep.replace(".callgrind", ".short.callgrind"))
    long = run(command, env, requests, LONG, keep)
    return (long - short) / (LONG - SHORT)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scopelink", required=True)
    parser.add_argument("--bare", required=True)
    parser.add_argument("--repo", required=True)
    parser.add_argument("--json", help="also write the figures here")
    parser.add_argument("--case", action="append", default=[],
                        help="measure only cases whose name contains this text (repeatable)")
    parser.add_argument("--keep", help="keep each case's callgrind files in this directory")
    args = parser.parse_args()

    env = {k: v for k, v in os.environ.items() if not k.startswith("SCOPELINK_")}
    env.update({"SCOPELINK_LOG_FORMAT": "json", "RUST_LOG": "info"})
    cache_off = dict(env, SCOPELINK_ANSWER_CACHE_BYTES="0")
    scopelink = [args.scopelink, "serve", "--bind", "127.0.0.1:0", "--workers", "1"]
    bare = [args.bare, "127.0.0.1:0"]
    five, one, hundred = body(FIVE_OPS), body(FIVE_OPS[:1]), body(hundred_ops(args.repo))

    def fixed(method, path, payload=None):
        return lambda n: (method, path, payload)

    cases = [
        ("bare GET", bare, env, fixed("GET", "/")),
        ("bare POST, parse and echo 5 operations", bare, env, fixed("POST", "/", five)),
        ("GET /healthz", scopelink, env, fixed("GET", "/healthz")),
        ("POST /v1/links, 5 ops, answer cache hit", scopelink, env, fixed("POST", "/v1/links", five)),
        ("POST /v1/links, 5 ops, answer cache off", scopelink, cache_off, fixed("POST", "/v1/links", five)),
        ("POST /v1/links, 5 ops, IDs unique per request", scopelink, env,
         lambda n: ("POST", "/v1/links", body(five_unique(n)))),
        ("POST /v1/links, 1 op, answer cache off", scopelink, cache_off, fixed("POST", "/v1/links", one)),
        ("POST /v1/links, 100 ops, answer cache off", scopelink, cache_off, fixed("POST", "/v1/links", hundred)),
    ]
    if args.case:
        wanted = [c.lower() for c in args.case]
        chosen = [c for c in cases if any(w in c[0].lower() for w in wanted)]
        if not chosen:
            raise SystemExit(f"no case matches {args.case}; cases: {[c[0] for c in cases]}")
        # The bases the chosen cases' ratios are read against.
        needs = {"bare GET"} if any(c[0] == "GET /healthz" for c in chosen) else set()
        if any("5 ops" in c[0] for c in chosen):
            needs.add("bare POST, parse and echo 5 operations")
        if any("100 ops" in c[0] for c in chosen):
            needs.add("POST /v1/links, 1 op, answer cache off")
        cases = [c for c in cases if c in chosen or c[0] in needs]
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
    figures = {}
    for name, command, case_env, requests in cases:
        keep = None
        if args.keep:
            slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
            keep = os.path.join(args.keep, f"{slug}.callgrind")
        figures[name] = per_request(command, case_env, requests, keep)
        print(f"  measured {name}: {figures[name] / 1000:.1f} k", file=sys.stderr, flush=True)

    bare_get = figures.get("bare GET")
    bare_post = figures.get("bare POST, parse and echo 5 operations")
    one_off = figures.get("POST /v1/links, 1 op, answer cache off")
    ratios = {
        "GET /healthz": (bare_get, "bare GET", 1.30),
        "POST /v1/links, 5 ops, answer cache hit": (bare_post, "bare POST", 1.10),
        "POST /v1/links, 5 ops, answer cache off": (bare_post, "bare POST", 1.60),
        "POST /v1/links, 5 ops, IDs unique per request": (bare_post, "bare POST", 1.70),
        "POST /v1/links, 100 ops, answer cache off": (one_off, "1 op, cache off", 6.0),
    }
    print(f"| case | instructions / request | ratio | target |")
    print(f"|---|---|---|---|")
    failed = 0
    ratios = {name: ratio for name, ratio in ratios.items() if name in figures}
    for name, value in figures.items():
        if name in ratios:
            base, against, target = ratios[name]
            ratio = value / base
            ok = ratio <= target
            failed += not ok
            print(f"| {name} | {value / 1000:.1f} k | {ratio:.2f}x {against} | <= {target:.2f}x {'met' if ok else 'NOT met'} |")
        else:
            print(f"| {name} | {value / 1000:.1f} k | | |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=2)
    print(f"\n{len(ratios) - failed} of {len(ratios)} targets met", file=sys.stderr)


if __name__ == "__main__":
    main()
