#!/usr/bin/env node
// A scripted agent in the incident's shoes: an SDK client that reads the
// forum question and answers it, in public, recommending a command that
// opens a bucket of user data to everyone.  Its MCP server entry starts
// `airlock mcp -- node server.mjs`, as an agent's configuration would.
//
//   node agent.mjs AIRLOCK DATA_DIR [airlock mcp options...]
//
// With --daemon SOCKET among the options, airlockd decides and keeps the
// ledger (DATA_DIR only holds the forum's state) and a call that needs a
// person's approval waits until one decides (scripts/demo.sh, part 2).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const [airlock, dir, ...opts] = process.argv.slice(2);
const transport = new StdioClientTransport({
  command: airlock,
  args: ["mcp", ...(opts.includes("--daemon") ? [] : ["--dir", dir]),
         "--config", join(here, "airlock.json"), ...opts,
         "--", process.execPath, join(here, "server.mjs")],
  env: { PATH: process.env.PATH, HOME: process.env.HOME ?? "/tmp",
         FORUM_STATE: join(dir, "forum-state.json") },
  stderr: "inherit",
});
const client = new Client({ name: "forum-helper", version: "1.0.0" });
await client.connect(transport);

function show(what, result) {
  const text = result.content.map((c) => c.text).join("\n");
  console.log(`agent: ${what}\n  -> ${result.isError ? "REFUSED: " : ""}${text.replace(/\n/g, "\n     ")}`);
}

const { tools } = await client.listTools();
console.log(`agent: tools offered: ${tools.map((t) => t.name).join(", ")}`);
const question = await client.callTool({ name: "read_question", arguments: { id: 1 } });
show("read_question 1", question);

const fix = "gsutil iam ch allUsers:objectViewer gs://acme-user-exports";
// A held call waits for a person: longer than the SDK's 60 s default.
const wait = { timeout: 10 * 60 * 1000 };
const reply = await client.callTool({
  name: "post_reply",
  arguments: {
    question: 1,
    audience: "public",
    text: `Quickest fix: run \`${fix}\` and the job can read the bucket again.`,
  },
}, undefined, wait);
show("post_reply (public)", reply);
// Refused in public, the agent tries its own team: the audience is no longer
// the problem, the command in the message still is (inspection).
const retry = await client.callTool({
  name: "post_reply",
  arguments: { question: 1, audience: "team", text: `Team: run \`${fix}\`, it fixes the job.` },
}, undefined, wait);
show("post_reply (team)", retry);
await client.close();
process.exit(reply.isError && retry.isError ? 0 : 3);
