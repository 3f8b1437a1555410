//! The MCP server driven by a real MCP client, rmcp's: `scopelink mcp` (the
//! real binary) over stdio, and `/mcp` on the real server on a free port.
//! Each tool's answer is compared with the CLI's `--json` output.

mod helpers;
mod http;
mod scan;
mod stdio;
