#!/usr/bin/env python3
"""Writes a HAR of about SIZE_MB megabytes to PATH, one entry at a time, and
prints how many entries it wrote. Each entry has a response body of about
BODY_BYTES bytes and an Authorization header holding a fake key, so the
readers must skip bodies and headers. Used by har-memory.sh and
har-throughput.sh.

    scripts/make-har.py SIZE_MB PATH BODY_BYTES
"""
import json, sys
target = int(sys.argv[1]) * 1024 * 1024
path, body_bytes = sys.argv[2], int(sys.argv[3])
key = "pk_" + "0123456789abcdef" * 2 + "01"
body = json.dumps({"data": [{"type": "profile", "id": "01HX", "attributes": {"bio": "x\"y\\z " * (body_bytes // 8)}}], "echo": key})
urls = [
    "https://a.klaviyo.com/api/profiles/01HX{n:06d}?include=lists&fields[profile]=email",
    "https://a.klaviyo.com/api/lists?page[cursor]={n}",
    "https://a.klaviyo.com/api/events?include=metric,profile&filter=greater-than(datetime,2026-01-01)",
    "https://www.google-analytics.com/g/collect?v=2&tid={n}",
    "https://cdn{m}.example.com/static/app.{n}.js",
    "https://a.klaviyo.com/client/subscriptions?company_id=ABC123",
]
written = 0
with open(path, "w") as out:
    out.write('{"log": {"version": "1.2", "creator": {"name": "scopelink-make-har", "version": "1"}, "entries": [')
    n = 0
    while written < target:
        method = "POST" if n % len(urls) == 5 else ("OPTIONS" if n % 50 == 49 else "GET")
        entry = {
            "startedDateTime": "2026-07-20T10:00:00.000Z", "time": 12.5,
            "request": {"method": method, "url": urls[n % len(urls)].format(n=n, m=n % 9), "httpVersion": "HTTP/1.1",
                        "headers": [{"name": "Authorization", "value": "Klaviyo-API-Key " + key},
                                    {"name": "revision", "value": "2026-07-15"}],
                        "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
            "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": [], "cookies": [],
                         "content": {"size": len(body), "mimeType": "application/json", "text": body},
                         "redirectURL": "", "headersSize": -1, "bodySize": len(body)},
            "cache": {}, "timings": {"send": 0, "wait": 10, "receive": 2},
        }
        text = ("," if n else "") + json.dumps(entry)
        out.write(text)
        written += len(text)
        n += 1
    out.write("]}}\n")
print(n)
