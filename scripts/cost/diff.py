#!/usr/bin/env python3
"""Per-request cost by function, from the two callgrind files of one case that
`measure.py --keep DIR` leaves (NAME.short.callgrind, NAME.callgrind): each
function's (LONG - SHORT) / (1200 - 200) instructions, self or inclusive.

Usage: scripts/cost/diff.py DIR/NAME.callgrind [--inclusive] [--top N]
"""

import argparse
import re
import subprocess

SHORT, LONG = 200, 1200


def costs(path, inclusive):
    args = ["callgrind_annotate", "--threshold=100"]
    if inclusive:
        args.append("--inclusive=yes")
    text = subprocess.run(args + [path], capture_output=True, text=True, check=True).stdout
    out = {}
    for line in text.splitlines():
        match = re.match(r"^\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(.+)$", line)
        if not match or ":" not in match.group(2):
            continue
        name = match.group(2).strip()
        name = re.sub(r"\s*\[[^\]]*\]$", "", name)
        out[name] = out.get(name, 0) + int(match.group(1).replace(",", ""))
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("long")
    parser.add_argument("--inclusive", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    long = costs(args.long, args.inclusive)
    short = costs(args.long.replace(".callgrind", ".short.callgrind"), args.inclusive)
    rows = sorted(((long[k] - short.get(k, 0)) / (LONG - SHORT), k) for k in long)
    rows.reverse()
    total = sum(v for v, _ in rows) if not args.inclusive else None
    if total:
        print(f"total self cost per request: {total:,.0f}")
    for value, name in rows[: args.top]:
        print(f"{value:10,.0f}  {name[:150]}")


if __name__ == "__main__":
    main()
