// How the example agents reach the forum: an SDK client whose MCP server
// entry is `airlock mcp [--dir DIR] --config airlock.json OPTIONS -- node
// server.mjs`, as an agent's configuration would have it.  With --daemon
// among the options airlockd keeps the ledger and DIR only holds the
// forum's state.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

// A held call waits for a person: longer than the SDK's 60 s default.
export const WAIT = { timeout: 10 * 60 * 1000 };

export async function connect(name, airlock, dir, opts) {
  const transport = new StdioClientTransport({
    command: airlock,
    args: ["mcp", ...(opts.includes("--daemon") ? [] : ["--dir", dir]),
           "--config", join(here, "airlock.json"), ...opts,
           "--", process.execPath, join(here, "server.mjs")],
    env: { PATH: process.env.PATH, HOME: process.env.HOME ?? "/tmp",
           FORUM_STATE: join(dir, "forum-state.json") },
    stderr: "inherit",
  });
  const client = new Client({ name, version: "1.0.0" });
  await client.connect(transport);
  return client;
}
