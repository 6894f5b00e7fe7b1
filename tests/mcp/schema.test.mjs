// Cedar schemas for the gateway: the schema of airlock's requests generated
// from a real server's tools/list (`airlock schema from-mcp`), the shipped
// policies validating against it, and `airlock mcp --schema` refusing to
// start with a policy that would silently fail open.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { airlock, root, tempDir } from "./helpers.mjs";

const forum = join(root, "examples/forum");
const env = () => ({ PATH: process.env.PATH,
                     ...(process.env.ASAN_OPTIONS ? { ASAN_OPTIONS: process.env.ASAN_OPTIONS } : {}) });

// airlock ARGS: its status and outputs, whatever the status.
const airlockRun = (args) => spawnSync(airlock, args, { env: env(), encoding: "utf8", timeout: 30000 });

function transport(dir, args) {
  return new StdioClientTransport({
    command: airlock,
    args: ["mcp", "--dir", dir, "--config", join(forum, "airlock.json"), ...args, "--",
           process.execPath, join(forum, "server.mjs")],
    env: { ...env(), FORUM_STATE: join(dir, "forum-state.json") },
    stderr: "pipe",
  });
}

// A first session through airlock, which pins the forum's tools in dir.
async function pinForumTools(dir) {
  const c = new Client({ name: "schema-test", version: "1" });
  await c.connect(transport(dir, []));
  try {
    await c.listTools();
  } finally {
    await c.close();
  }
}

// The forum server's own tools/list, straight from it (no airlock).
async function forumTools(dir) {
  const t = new StdioClientTransport({ command: process.execPath, args: [join(forum, "server.mjs")],
                                       env: { ...env(), FORUM_STATE: join(dir, "s.json") } });
  const c = new Client({ name: "schema-test", version: "1" });
  await c.connect(t);
  const r = await c.listTools();
  await c.close();
  return r;
}

test("from-mcp: a real tools/list becomes a schema the shipped policies validate against", async () => {
  const dir = tempDir("schema-gen");
  const tools = await forumTools(dir);
  writeFileSync(join(dir, "tools.json"), JSON.stringify(tools));
  const gen = airlockRun(["schema", "from-mcp", "--config", join(forum, "airlock.json"),
                          join(dir, "tools.json")]);
  assert.equal(gen.status, 0, gen.stderr);
  const schema = join(dir, "forum.cedarschema");
  writeFileSync(schema, gen.stdout);
  // one action per tool, its input typed from the tool's input schema
  assert.match(gen.stdout, /action "post_reply" in \[[^\]]*"call_tool"/);
  assert.match(gen.stdout, /audience: __cedar::String/);
  for (const p of ["policies/default.cedar"]) {
    const v = airlockRun(["policy", "validate", "--schema", schema, join(root, p)]);
    assert.equal(v.status, 0, v.stderr);
  }
  // a policy on the tool's own argument validates; misspelt, it does not
  writeFileSync(join(dir, "good.cedar"),
    'forbid(principal, action == Action::"post_reply", resource) when { context.input.audience == "public" };\n');
  writeFileSync(join(dir, "bad.cedar"),
    'forbid(principal, action == Action::"post_reply", resource) when { context.input.audiance == "public" };\n');
  assert.equal(airlockRun(["policy", "validate", "--schema", schema, join(dir, "good.cedar")]).status, 0);
  const bad = airlockRun(["policy", "validate", "--schema", schema, join(dir, "bad.cedar")]);
  assert.equal(bad.status, 3);
  assert.match(bad.stderr, /bad.cedar:1:\d+: error: policy0: attribute `audiance` is not declared/);
  // the JSON form reads back to the same schema
  const json = airlockRun(["schema", "from-mcp", "--to", "json", "--config", join(forum, "airlock.json"),
                           join(dir, "tools.json")]);
  writeFileSync(join(dir, "forum.json"), json.stdout);
  assert.equal(airlockRun(["policy", "validate", "--schema", join(dir, "forum.json"),
                           join(dir, "bad.cedar")]).status, 3);
});

test("mcp --schema: a policy that would fail open keeps the gateway from starting", async (t) => {
  const dir = tempDir("schema-mcp");
  const tools = await forumTools(dir);
  writeFileSync(join(dir, "tools.json"), JSON.stringify(tools));
  const gen = airlockRun(["schema", "from-mcp", "--config", join(forum, "airlock.json"),
                          join(dir, "tools.json")]);
  writeFileSync(join(dir, "forum.cedarschema"), gen.stdout);
  const policies = join(dir, "policies.cedar");
  writeFileSync(policies, readFileSync(join(root, "policies/default.cedar"), "utf8") +
    '\n@id("no-public-posts")\nforbid(principal, action == Action::"post_reply", resource) ' +
    'when { context.input.audiance == "public" };\n');
  const r = spawnSync(airlock, ["mcp", "--dir", dir, "--config", join(forum, "airlock.json"),
                                "--policies", policies, "--schema", join(dir, "forum.cedarschema"),
                                "--", process.execPath, join(forum, "server.mjs")],
                      { input: "", env: env(), encoding: "utf8", timeout: 30000 });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /policies.cedar:\d+:\d+: no-public-posts does not validate against the schema: attribute `audiance` is not declared/);
  // spelt right, the gateway runs and the policy holds the public post
  writeFileSync(policies, readFileSync(policies, "utf8").replace("audiance", "audience"));
  const c = new Client({ name: "schema-test", version: "1" });
  await c.connect(transport(dir, ["--policies", policies, "--schema", join(dir, "forum.cedarschema")]));
  // closed whatever happens: a failed assertion must not leave the
  // gateway and its server running (the test file would never end)
  t.after(() => c.close());
  const post = await c.callTool({ name: "post_reply",
                                  arguments: { question: 1, audience: "public", text: "hello" } });
  assert.equal(post.isError, true);
  // Attack: leave out what the forbid reads.  Without the schema the
  // forbid would error, and Cedar skips a policy that errors; with it the
  // call does not fit, and is refused saying so.
  const sly = await c.callTool({ name: "post_reply", arguments: { question: 1, text: "hello" } });
  assert.equal(sly.isError, true);
  assert.match(sly.content[0].text, /does not fit the schema the policies were validated against \(context\.input\.audience: required, and missing\)/);
  // ... or give it another type
  const typed = await c.callTool({ name: "post_reply",
                                   arguments: { question: 1, audience: 7, text: "hello" } });
  assert.match(typed.content[0].text, /context\.input\.audience: expected String/);
});

test("mcp --schema auto: validated against the tools pinned by an earlier session", async (t) => {
  const dir = tempDir("schema-auto");
  // a first session pins the forum's tools
  await pinForumTools(dir);
  const policies = join(dir, "policies.cedar");
  writeFileSync(policies,
    'permit(principal, action in Action::"read_only", resource);\n' +
    'forbid(principal, action == Action::"post_reply", resource) when { context.input.txt like "*gsutil*" };\n');
  const r = spawnSync(airlock, ["mcp", "--dir", dir, "--config", join(forum, "airlock.json"),
                                "--policies", policies, "--schema", "auto",
                                "--", process.execPath, join(forum, "server.mjs")],
                      { input: "", env: env(), encoding: "utf8", timeout: 30000 });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /attribute `txt` is not declared in \{[^}]*text: String/);
  writeFileSync(policies, readFileSync(policies, "utf8").replace(".txt ", ".text "));
  const c = new Client({ name: "schema-test", version: "1" });
  await c.connect(transport(dir, ["--policies", policies, "--schema", "auto"]));
  t.after(() => c.close());
  const post = await c.callTool({ name: "post_reply",
                                  arguments: { question: 1, audience: "team", text: "try gsutil" } });
  assert.equal(post.isError, true);
});

test("pins accept --policies: a changed definition that breaks a policy is reported", async () => {
  const dir = tempDir("schema-accept");
  await pinForumTools(dir);
  const policies = join(dir, "policies.cedar");
  writeFileSync(policies,
    'forbid(principal, action == Action::"run_command", resource) when { context.input.command like "*rm *" };\n');
  const pinsFile = join(dir, "pins.json");
  // the upstream now says run_command takes "cmd": seen, not yet accepted
  const pins = JSON.parse(readFileSync(pinsFile, "utf8"));
  const entry = pins.servers["acme-forum"].run_command;
  entry.definition.inputSchema = { type: "object", properties: { cmd: { type: "string" } },
                                   required: ["cmd"] };
  entry.seen = "0".repeat(64);
  writeFileSync(pinsFile, JSON.stringify(pins));
  const ok = airlockRun(["pins", "accept", "--dir", dir, "--policies", join(dir, "none.cedar"),
                         "run_command"]);
  assert.equal(ok.status, 1, "a policies file that cannot be read is an error");
  const acc = airlockRun(["pins", "accept", "--dir", dir, "--server", "acme-forum",
                          "--config", join(forum, "airlock.json"), "--policies", policies]);
  assert.equal(acc.status, 3, acc.stderr);
  assert.match(acc.stdout, /accepted acme-forum run_command/);
  assert.match(acc.stderr, /accepted, but with these definitions the policies do not validate.*attribute `command` is not declared in \{cmd: String\}/);
});

test("airlockd --schema: refuses to start with such a policy; a reload says so", async (t) => {
  const { isRoot, daemons } = await import("./daemon-helpers.mjs");
  if (!isRoot) return t.skip("airlockd's tests run as root (they make its users)");
  const { chmodSync } = await import("node:fs");
  const base = tempDir("schema-daemon");
  chmodSync(base, 0o755);
  const D = daemons(base);
  try {
    const tools = await forumTools(base);
    writeFileSync(join(base, "tools.json"), JSON.stringify(tools));
    const gen = airlockRun(["schema", "from-mcp", "--config", join(forum, "airlock.json"),
                            join(base, "tools.json")]);
    const schema = join(base, "forum.cedarschema"), policies = join(base, "agents.cedar");
    writeFileSync(schema, gen.stdout);
    const bad = readFileSync(join(root, "policies/default.cedar"), "utf8") +
      '\nforbid(principal, action == Action::"post_reply", resource) when { context.input.audiance == "public" };\n';
    writeFileSync(policies, bad);
    for (const f of [schema, policies]) chmodSync(f, 0o644);
    const d1 = D.start("refused", ["--policies", policies, "--schema", schema]);
    await assert.rejects(d1.ready, /airlockd exited: .*agents.cedar:\d+:\d+: policy11 does not validate against the schema: attribute `audiance` is not declared/s);
    writeFileSync(policies, bad.replace("audiance", "audience"));
    const d2 = D.start("runs", ["--policies", policies, "--schema", schema]);
    await d2.ready;
    const ok = spawnSync(airlock, ["policy", "reload", "--socket", d2.sock], { env: env(), encoding: "utf8" });
    assert.equal(ok.status, 0, ok.stderr);
    writeFileSync(policies, bad);
    const r = spawnSync(airlock, ["policy", "reload", "--socket", d2.sock], { env: env(), encoding: "utf8" });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /the agents' policies do not validate against the schema, and sessions will be refused until they do: .*audiance/);
    await D.stop(d2);
  } finally {
    D.stopAll();
  }
});
