#!/usr/bin/env python3
"""Drives Scopelink's MCP server with the official Python SDK (`mcp` from PyPI).

Over stdio (`scopelink mcp`) and over streamable HTTP (`/mcp` on `scopelink
serve`, on 127.0.0.1): initialize, list the tools with their schemas, call each
tool and compare its structuredContent with the CLI's `--json` output (the SDK
also validates it against the tool's outputSchema), errors with suggestions, a
key refused and never echoed, a scan path outside the client's roots refused,
and `/mcp` refusing a foreign Origin with 403, and ending a session (DELETE) with
200 and no warning from the SDK.

Installs `mcp` into ${SCOPELINK_TOOLS:-~/.cache/scopelink-tools}/venv if it is
missing, then runs itself with that venv's Python. Uses target/debug/scopelink
(built if missing). Prints one line per check and `N passed, M failed`.
"""

import os
import subprocess
import sys
from pathlib import Path

MCP_VERSION = "2.3.0"
ROOT = Path(__file__).resolve().parent.parent
TOOLS = Path(os.environ.get("SCOPELINK_TOOLS", Path.home() / ".cache" / "scopelink-tools"))
VENV = TOOLS / "venv"
VENV_PYTHON = VENV / "bin" / "python"


def bootstrap() -> None:
    """Re-runs this script in the tools venv, with `mcp` installed there."""
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    if not VENV_PYTHON.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    probe = subprocess.run(
        [str(VENV_PYTHON), "-c", "import importlib.metadata as m; print(m.version('mcp'))"],
        capture_output=True,
        text=True,
    )
    if probe.stdout.strip() != MCP_VERSION:
        print(f"check-mcp: installing mcp {MCP_VERSION} into {VENV}", flush=True)
        subprocess.run(
            [str(VENV / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", f"mcp=={MCP_VERSION}"],
            check=True,
        )
    os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), __file__, *sys.argv[1:]])


bootstrap()

import json  # noqa: E402
import logging  # noqa: E402
import socket  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402

import anyio  # noqa: E402
import mcp_types as types  # noqa: E402
from mcp.client.session import ClientSession  # noqa: E402
from mcp.client.stdio import StdioServerParameters, stdio_client  # noqa: E402
from mcp.client.streamable_http import streamable_http_client  # noqa: E402

BIN = ROOT / "target" / "debug" / "scopelink"
FAKE_KEY = "pk_0123456789abcdef0123456789abcdef01"
PASSED: list[str] = []
FAILED: list[str] = []


def check(name: str, condition: bool, detail: str = "") -> None:
    if condition:
        PASSED.append(name)
        print(f"ok      {name}", flush=True)
    else:
        FAILED.append(name)
        print(f"FAILED  {name}: {detail}"[:2000], flush=True)


def cli_json(*args: str, cwd: Path | None = None) -> object:
    run = subprocess.run([str(BIN), *args], capture_output=True, text=True, cwd=cwd)
    try:
        return json.loads(run.stdout)
    except json.JSONDecodeError as error:
        raise AssertionError(f"scopelink {' '.join(args)} printed no JSON ({error}): {run.stderr}")


def text_of(result: types.CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, types.TextContent))


async def tools_and_answers(session: ClientSession, transport: str, local: bool) -> None:
    """The checks both transports share."""
    listed = await session.list_tools()
    names = [tool.name for tool in listed.tools]
    expected = ["klaviyo_link", "klaviyo_search_operations", "klaviyo_audit_link"]
    if local:
        expected.append("klaviyo_scan")
    check(f"{transport}: lists {', '.join(expected)}", names == expected, str(names))
    check(
        f"{transport}: every tool has object input and output schemas",
        all(t.input_schema.get("type") == "object" and (t.output_schema or {}).get("type") == "object" for t in listed.tools),
        json.dumps([t.model_dump(mode="json") for t in listed.tools])[:500],
    )

    inputs = ["GET /api/profiles/{id}?include=lists", "POST /api/lists", "klaviyo.Events.get_events"]
    link = await session.call_tool("klaviyo_link", {"operations": inputs})
    check(f"{transport}: klaviyo_link equals `scopelink link --json`", not link.is_error and link.structured_content == cli_json("link", "--json", *inputs), text_of(link))
    check(f"{transport}: klaviyo_link's text names the link", "https://www.klaviyo.com/create-private-api-key?scopes=" in text_of(link), text_of(link))

    search = await session.call_tool("klaviyo_search_operations", {"query": "list", "beta": False, "limit": 256})
    want = [op for op in cli_json("operations", "--search", "list", "--json") if not op.get("beta_revision")]
    check(f"{transport}: klaviyo_search_operations equals `scopelink operations --json`", (search.structured_content or {}).get("operations") == want, text_of(search))

    old = "https://www.klaviyo.com/create-private-api-key?scopes=list:read,template:write"
    audit = await session.call_tool("klaviyo_audit_link", {"link": old, "operations": ["get_lists"]})
    check(f"{transport}: klaviyo_audit_link equals `scopelink audit --json`", audit.structured_content == cli_json("audit", old, "--op", "get_lists", "--json"), text_of(audit))

    docs = "## Required scopes\n\n| Scope | Access |\n|---|---|\n| List | Read |\n| Profiles | Read |\n"
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False) as readme:
        readme.write(docs)
    audited = await session.call_tool("klaviyo_audit_link", {"docs": docs, "operations": ["get_lists", "create_profile"]})
    want = cli_json("audit", "--docs", readme.name, "--op", "get_lists", "--op", "create_profile", "--json")
    os.unlink(readme.name)
    check(
        f"{transport}: klaviyo_audit_link with docs equals `scopelink audit --docs --json` (validated against its outputSchema)",
        not audited.is_error and audited.structured_content == want and want["found"][0]["audit"]["intended"]["missing"] == ["profiles:write"],
        text_of(audited),
    )


    misspelt = await session.call_tool("klaviyo_link", {"operations": ["get_profils", "POST /api/lists"]})
    report = misspelt.structured_content or {}
    suggestions = [s["replacement"] for e in report.get("errors", []) for s in e["suggestions"]]
    check(f"{transport}: a misspelt operation is a tool error with suggestions", misspelt.is_error and "get_profiles" in suggestions and "did you mean" in text_of(misspelt), text_of(misspelt))
    try:
        await session.validate_tool_result("klaviyo_link", misspelt)
        conforms = ""
    except RuntimeError as error:
        conforms = str(error)
    check(f"{transport}: the error report matches the output schema too", conforms == "", conforms)

    key = await session.call_tool("klaviyo_link", {"operations": [FAKE_KEY]})
    key_search = await session.call_tool("klaviyo_search_operations", {"query": FAKE_KEY})
    dumped = json.dumps([key.model_dump(mode="json"), key_search.model_dump(mode="json")])
    check(
        f"{transport}: a key is refused and never echoed",
        key.is_error and key_search.is_error and "looks_like_secret" in dumped and FAKE_KEY not in dumped,
        dumped,
    )

    resource = await session.read_resource("scopelink://operations/get_profiles")
    body = json.loads(resource.contents[0].text)
    check(f"{transport}: scopelink://operations/get_profiles reads the operation", body.get("operation_id") == "get_profiles" and body.get("scopes") == ["profiles:read"], str(body)[:300])


async def over_stdio(workdir: Path) -> None:
    project = workdir / "project"
    (project / "src").mkdir(parents=True)
    (project / "src" / "sync.py").write_text(
        "import klaviyo_api\n\nclient.Profiles.get_profiles()\nclient.Lists.create_list(body)\n"
    )
    outside = workdir / "elsewhere"
    outside.mkdir()

    async def roots(_context) -> types.ListRootsResult:
        return types.ListRootsResult(roots=[types.Root(uri=project.as_uri(), name="project")])

    server = StdioServerParameters(command=str(BIN), args=["mcp"], cwd=str(workdir))
    async with stdio_client(server) as (read, write):
        async with ClientSession(read, write, list_roots_callback=roots) as session:
            init = await session.initialize()
            check("stdio: initialize names scopelink", init.server_info.name == "scopelink", str(init.server_info))
            check("stdio: the instructions say never to pass an API key", "API key" in (init.instructions or ""), init.instructions or "")
            await tools_and_answers(session, "stdio", local=True)

            scan = await session.call_tool("klaviyo_scan", {"paths": ["src"]})
            want = cli_json("scan", "--json", "src", cwd=project)
            check(
                "stdio: klaviyo_scan (within the client's roots) equals `scopelink scan --json`",
                not scan.is_error and scan.structured_content == want and want.get("scopes") == ["lists:read", "lists:write", "profiles:read"],
                text_of(scan),
            )
            refused = await session.call_tool("klaviyo_scan", {"paths": [str(outside)]})
            check(
                "stdio: a scan path outside the client's roots is refused",
                refused.is_error and "path_outside_roots" in text_of(refused) and str(project) in text_of(refused),
                text_of(refused),
            )


class WarningsHeld(logging.Handler):
    """Holds the messages of the warnings (and worse) logged to it."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def delete_status(base: str) -> int:
    """Opens a session with a raw initialize, ends it with DELETE, and gives DELETE's status."""
    opened = urllib.request.Request(
        f"{base}/mcp",
        data=b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}',
        headers={"content-type": "application/json", "accept": "application/json, text/event-stream"},
        method="POST",
    )
    with urllib.request.urlopen(opened, timeout=5) as response:
        session = response.headers["mcp-session-id"]
        response.read()
    ended = urllib.request.Request(f"{base}/mcp", headers={"mcp-session-id": session}, method="DELETE")
    try:
        with urllib.request.urlopen(ended, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def free_port() -> int:

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def over_http() -> None:
    port = free_port()
    log = tempfile.TemporaryFile()
    server = subprocess.Popen(
        [str(BIN), "serve", "--bind", f"127.0.0.1:{port}"], stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/readyz", timeout=1)
                break
            except OSError:
                if server.poll() is not None:
                    raise AssertionError("the server exited")
                time.sleep(0.1)
        # The SDK logs a warning when ending the session with DELETE fails.
        warnings = WarningsHeld()
        logging.getLogger("mcp").addHandler(warnings)
        try:
            async with streamable_http_client(f"{base}/mcp") as (read, write):
                async with ClientSession(read, write) as session:
                    init = await session.initialize()
                    check("http: initialize names scopelink", init.server_info.name == "scopelink", str(init.server_info))
                    await tools_and_answers(session, "http", local=False)
        finally:
            logging.getLogger("mcp").removeHandler(warnings)
        check(
            "http: the SDK ends its session cleanly (no warning such as 'Session termination failed')",
            not warnings.messages,
            "; ".join(warnings.messages),
        )
        check("http: DELETE /mcp ends a session with 200", delete_status(base) == 200, str(delete_status(base)))


        request = urllib.request.Request(
            f"{base}/mcp",
            data=b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"page","version":"0"}}}',
            headers={
                "content-type": "application/json",
                "accept": "application/json, text/event-stream",
                "origin": "https://evil.example",
            },
            method="POST",
        )
        try:
            urllib.request.urlopen(request, timeout=5)
            status, body = 200, {}
        except urllib.error.HTTPError as error:
            status, body = error.code, json.loads(error.read() or b"{}")
        check("http: /mcp refuses a foreign Origin with 403 problem+json", status == 403 and body.get("code") == "origin_refused", f"{status} {body}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.seek(0)
        logged = log.read().decode(errors="replace")
        check("http: the server log holds no key", FAKE_KEY not in logged and "panicked" not in logged, logged[-2000:])


async def main() -> None:
    with tempfile.TemporaryDirectory() as workdir:
        await over_stdio(Path(workdir))
    await over_http()


if __name__ == "__main__":
    if not BIN.exists():
        subprocess.run(["cargo", "build", "--locked", "--quiet", "--bin", "scopelink"], cwd=ROOT, check=True)
    try:
        anyio.run(main)
    except Exception as error:  # a crash is a failure, reported as one
        check("the checks ran to the end", False, repr(error))
    print(f"check-mcp: {len(PASSED)} passed, {len(FAILED)} failed")
    sys.exit(1 if FAILED else 0)
