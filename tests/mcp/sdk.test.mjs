// The official TypeScript SDK client through `airlock mcp` to the reference
// server-everything (stdio), and the same client directly against it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema,
  CallToolResultSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { connect, here, tempDir, airlock, airlockRun, ledgerRecords } from "./helpers.mjs";

const dir = tempDir("sdk");
const args = ["--config", join(here, "everything.json"), "--policies", join(here, "everything.cedar")];
const handlers = [
  [CreateMessageRequestSchema, async (req) => ({
    model: "scripted", role: "assistant",
    content: { type: "text", text: `sampled: ${req.params.messages[0].content.text}` },
  })],
  [ElicitRequestSchema, async () => ({ action: "accept", content: { name: "Ada", color: "red" } })],
  [ListRootsRequestSchema, async () => ({ roots: [{ uri: "file:///tmp", name: "tmp" }] })],
];

let via, direct;
before(async () => {
  via = await connect({ through: true, dir, args, handlers });
  direct = await connect({ through: false, handlers });
});
after(async () => {
  await via?.client.close();
  await direct?.client.close();
});

// Tools registered after initialization arrive with list_changed: wait
// until both sides see the full list.
async function tools(c, want = "trigger-sampling-request") {
  for (let i = 0; i < 50; i++) {
    const { tools } = await c.client.listTools();
    if (tools.some((t) => t.name === want)) return tools;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${want} never listed`);
}

test("tools/list through airlock hides what policy forbids outright", async () => {
  const names = (await tools(via)).map((t) => t.name);
  const all = (await tools(direct)).map((t) => t.name);
  assert.ok(all.includes("get-env"));
  assert.ok(!names.includes("get-env"), "get-env is forbidden unconditionally");
  assert.deepEqual(names, all.filter((n) => n !== "get-env"));
});

test("permitted calls give the same results directly and through airlock", async () => {
  await tools(via);
  await tools(direct);
  for (const [name, a] of [["echo", { message: "hello, airlock" }], ["get-sum", { a: 2, b: 40 }],
                           ["get-structured-content", { location: "New York" }],
                           ["get-tiny-image", {}], ["get-annotated-message", { messageType: "error" }]]) {
    const x = await via.client.callTool({ name, arguments: a });
    const y = await direct.client.callTool({ name, arguments: a });
    assert.deepEqual(x, y, name);
    assert.notEqual(x.isError, true, name);
  }
});

test("a denied call is an error result naming the policy and its reason", async () => {
  const r = await via.client.callTool({ name: "get-sum", arguments: { a: 5000, b: 1 } });
  assert.equal(r.isError, true);
  assert.match(r.content[0].text, /airlock refused get-sum by policy/);
  assert.match(r.content[0].text, /sums of numbers over 1000 are not for agents \(policy small-sums\)/);
  assert.deepEqual(r._meta.airlock.policies, ["small-sums"]);
  const env = await via.client.callTool({ name: "get-env", arguments: {} });
  assert.equal(env.isError, true);
  assert.match(env.content[0].text, /the environment may hold secrets/);
});

test("progress notifications reach the client", async () => {
  const seen = [];
  const r = await via.client.callTool(
    { name: "trigger-long-running-operation", arguments: { duration: 0.3, steps: 3 } },
    CallToolResultSchema, { onprogress: (p) => seen.push(p.progress) });
  assert.notEqual(r.isError, true);
  // The SDK drops a notification that arrives in the same read as the
  // response it belongs to, directly as much as through airlock.
  assert.ok(seen.length >= 2, `progress seen: ${seen}`);
  assert.deepEqual(seen, [1, 2, 3].slice(0, seen.length));
});

test("the server's sampling, elicitation and roots requests reach the client", async () => {
  await tools(via);
  const s = await via.client.callTool({ name: "trigger-sampling-request",
                                        arguments: { prompt: "say hi", maxTokens: 10 } });
  assert.match(JSON.stringify(s), /sampled: .*say hi/);
  const e = await via.client.callTool({ name: "trigger-elicitation-request", arguments: {} });
  assert.match(JSON.stringify(e), /Ada/);
  const roots = await via.client.callTool({ name: "get-roots-list", arguments: {} });
  assert.match(JSON.stringify(roots), /file:\/\/\/tmp/);
});

test("a cancelled request is cancelled upstream and the session goes on", async () => {
  const ac = new AbortController();
  const p = via.client.callTool(
    { name: "trigger-long-running-operation", arguments: { duration: 5, steps: 5 } },
    CallToolResultSchema, { signal: ac.signal });
  setTimeout(() => ac.abort("changed my mind"), 200);
  await assert.rejects(p);
  const r = await via.client.callTool({ name: "echo", arguments: { message: "still here" } });
  assert.match(r.content[0].text, /still here/);
});

test("resources and prompts are decided too", async () => {
  const { resources } = await via.client.listResources();
  const d = await direct.client.listResources();
  assert.deepEqual(resources, d.resources);
  const uri = resources[0].uri;
  assert.deepEqual(await via.client.readResource({ uri }), await direct.client.readResource({ uri }));
  const { prompts } = await via.client.listPrompts();
  const simple = prompts.find((p) => !p.arguments?.length);
  assert.deepEqual(await via.client.getPrompt({ name: simple.name }),
                   await direct.client.getPrompt({ name: simple.name }));
  const withArgs = prompts.find((p) => p.arguments?.length);
  await assert.rejects(
    via.client.getPrompt({ name: withArgs.name, arguments: { city: "Paris", state: "x" } }),
    (err) => err.code === -32001 && /prompts with arguments are refused/.test(err.message));
});

test("every decided call is in the ledger, which verifies", async () => {
  await via.client.close();
  via = null;
  const records = ledgerRecords(dir);
  const reqs = records.filter((r) => r.type === "request");
  const outs = records.filter((r) => r.type === "outcome");
  const denied = reqs.filter((r) => r.decision === "deny").map((r) => r.tool ?? r.method);
  assert.ok(denied.includes("get-sum") && denied.includes("get-env"), JSON.stringify(reqs.map((r) => [r.tool, r.decision])));
  const sum = reqs.find((r) => r.tool === "get-sum" && r.decision === "deny");
  assert.deepEqual(sum.input, { a: 5000, b: 1 });
  assert.equal(sum.agent, "sdk-test");
  assert.equal(sum.server, "everything");
  for (const r of reqs.filter((r) => r.decision === "permit"))
    assert.ok(outs.some((o) => o.request === r.index), `outcome of entry ${r.index}`);
  const cancelled = outs.filter((o) => o.result === "cancelled" || o.result === "error");
  assert.ok(records.some((r) => r.type === "session-end"));
  assert.ok(records.some((r) => r.type === "pins"));
  airlockRun(["log", "verify", "--dir", dir]);
  void cancelled;
});

test("airlock replay: the same policies change nothing, others are listed", () => {
  const same = spawnSync(airlock, ["replay", "--dir", dir, "--policies", join(here, "everything.cedar")],
                         { encoding: "utf8" });
  assert.equal(same.status, 0, same.stderr);
  assert.match(same.stdout, /^\d+ requests, \d+ decided again, 0 would change, 0 skipped$/m);
  const open = join(dir, "open.cedar");
  writeFileSync(open, '@id("open") permit (principal, action, resource);\n');
  const r = spawnSync(airlock, ["replay", "--dir", dir, "--policies", open, "--json"], { encoding: "utf8" });
  assert.equal(r.status, 3, r.stderr);
  const changes = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual([...new Set(changes.map((c) => c.tool ?? c.method))].sort(),
                   ["get-env", "get-sum", "prompts/get"]);
  assert.ok(changes.every((c) => c.before === "deny" && c.after === "permit" && c.policies[0] === "open"));
});
