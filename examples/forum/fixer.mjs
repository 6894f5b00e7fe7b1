#!/usr/bin/env node
// A scripted agent asked to get the nightly job going again on the
// engineer's workstation: it opens the exports folder to everyone (the
// command widens access), and once told the job is done (DATA_DIR/done
// appears) narrows it again.  Through airlockd both calls wait for a
// person, the first opens an exposure, the second closes it
// (scripts/demo-held.sh, part 2 of `make demo`).
//
//   node fixer.mjs AIRLOCK DATA_DIR --daemon SOCKET
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const [airlock, dir, ...opts] = process.argv.slice(2);
const transport = new StdioClientTransport({
  command: airlock,
  args: ["mcp", "--config", join(here, "airlock.json"), ...opts,
         "--", process.execPath, join(here, "server.mjs")],
  env: { PATH: process.env.PATH, HOME: process.env.HOME ?? "/tmp",
         FORUM_STATE: join(dir, "forum-state.json") },
  stderr: "inherit",
});
const client = new Client({ name: "workstation-fixer", version: "1.0.0" });
await client.connect(transport);
const wait = { timeout: 10 * 60 * 1000 }; // a held call waits for a person

async function run(command) {
  const r = await client.callTool({ name: "run_command", arguments: { command } }, undefined, wait);
  const text = r.content.map((c) => c.text).join("\n");
  console.log(`agent: run_command ${command}\n  -> ${r.isError ? "REFUSED: " : ""}${text}`);
  return !r.isError;
}

const opened = await run("chmod -R 777 /srv/exports");
while (opened && !existsSync(join(dir, "done")))
  await new Promise((r) => setTimeout(r, 50));
const narrowed = opened && await run("chmod -R 750 /srv/exports");
await client.close();
process.exit(opened && narrowed ? 0 : 3);
