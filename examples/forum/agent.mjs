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
import { connect, WAIT as wait } from "./connect.mjs";

const [airlock, dir, ...opts] = process.argv.slice(2);
const client = await connect("forum-helper", airlock, dir, opts);

function show(what, result) {
  const text = result.content.map((c) => c.text).join("\n");
  console.log(`agent: ${what}\n  -> ${result.isError ? "REFUSED: " : ""}${text.replace(/\n/g, "\n     ")}`);
}

const { tools } = await client.listTools();
console.log(`agent: tools offered: ${tools.map((t) => t.name).join(", ")}`);
const question = await client.callTool({ name: "read_question", arguments: { id: 1 } });
show("read_question 1", question);

const fix = "gsutil iam ch allUsers:objectViewer gs://acme-user-exports";
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
