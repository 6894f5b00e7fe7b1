// The forum example (examples/forum) through `airlock mcp`: the incident
// under the built-in default policies, the Rule of Two, and pinned tool
// definitions that change.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { airlock, root, tempDir, ledgerRecords, busyThenSigned } from "./helpers.mjs";

const forum = join(root, "examples/forum");

async function open(dir, { config = join(forum, "airlock.json"), env = {}, args = [] } = {}) {
  const transport = new StdioClientTransport({
    command: airlock,
    args: ["mcp", "--dir", dir, "--config", config, ...args, "--", process.execPath,
           join(forum, "server.mjs")],
    env: { PATH: process.env.PATH, FORUM_STATE: join(dir, "forum-state.json"), ...env,
           ...(process.env.ASAN_OPTIONS ? { ASAN_OPTIONS: process.env.ASAN_OPTIONS } : {}) },
    stderr: "pipe",
  });
  const client = new Client({ name: "forum-helper", version: "1" });
  await client.connect(transport);
  return client;
}

const text = (r) => r.content.map((c) => c.text).join("\n");

test("the incident: the read is permitted, the public post is refused and never posted", async () => {
  const dir = tempDir("forum");
  const c = await open(dir);
  const q = await c.callTool({ name: "read_question", arguments: { id: 1 } });
  assert.match(text(q), /acme-user-exports/);
  const team = await c.callTool({ name: "post_reply",
                                  arguments: { question: 1, audience: "public", text: "run gsutil iam ch allUsers:objectViewer gs://acme-user-exports" } });
  assert.equal(team.isError, true);
  assert.match(text(team), /what the company or the public can read needs a person's approval \(policy wide-audience\)/);
  assert.equal(team._meta.airlock.decision, "needs-approval");
  const cmd = await c.callTool({ name: "run_command", arguments: { command: "rm -rf /" } });
  assert.match(text(cmd), /a destructive tool needs a person's approval \(policy destructive\)/);
  await c.close();
  assert.ok(!existsSync(join(dir, "forum-state.json")), "nothing reached the forum");
  const reqs = ledgerRecords(dir).filter((r) => r.type === "request");
  assert.deepEqual(reqs.map((r) => [r.tool, r.decision]),
                   [["read_question", "permit"], ["post_reply", "needs-approval"],
                    ["run_command", "needs-approval"]]);
});

test("inspection: a widening command in a post is held, with what was found, and recorded", async () => {
  const dir = tempDir("inspect");
  const config = join(dir, "config.json");
  writeFileSync(config, JSON.stringify({
    server: { name: "acme-forum" }, env: ["PATH", "FORUM_STATE"],
    tools: { post_reply: { audience: "self", destructive: false, openWorld: false } },
  }));
  const c = await open(dir, { config });
  const fix = "gsutil iam ch allUsers:objectViewer gs://acme-user-exports";
  const r = await c.callTool({ name: "post_reply",
                               arguments: { question: 1, audience: "self", text: `Run \`${fix}\`.` } });
  assert.equal(r.isError, true);
  assert.equal(r._meta.airlock.decision, "needs-approval");
  assert.match(text(r), /inspection found something a person must look at first \(policy findings\)/);
  assert.match(text(r), new RegExp(`GCS-ALLUSERS \\(widens-access, critical\\) in text \`${fix}\``));
  // The same post without the command goes through.
  const ok = await c.callTool({ name: "post_reply",
                                arguments: { question: 1, audience: "self", text: "Ask the data team." } });
  assert.notEqual(ok.isError, true);
  await c.close();
  const reqs = ledgerRecords(dir).filter((x) => x.type === "request" && x.tool === "post_reply");
  assert.deepEqual(reqs[0].findings.map((f) => [f.rule, f.category, f.severity, f.argument, f.text]),
                   [["GCS-ALLUSERS", "widens-access", "critical", "text", fix]]);
  assert.deepEqual(reqs[0].cedar.context.findings.categories, ["widens-access"]);
  assert.deepEqual(reqs[1].findings, []);
});

test("the advice in other words: who gains access, not how it is spelt, is held", async () => {
  const dir = tempDir("words");
  const config = join(dir, "config.json");
  writeFileSync(config, JSON.stringify({
    server: { name: "acme-forum" }, env: ["PATH", "FORUM_STATE"],
    organization: { domains: ["acme.example"] },
    tools: { post_reply: { audience: "self", destructive: false, openWorld: false } },
  }));
  const c = await open(dir, { config });
  const post = (t) => c.callTool({ name: "post_reply", arguments: { question: 1, audience: "self", text: t } });
  const held = [
    ["gsutil iam ch group:all-employees@acme.example:objectViewer gs://user-data-exports",
     "group:all-employees@acme.example \\(broad-group\\), read, on bucket gs://user-data-exports"],
    ["gcloud storage buckets add-iam-policy-binding gs://user-data-exports --member=domain:acme.example --role=roles/storage.objectViewer",
     "domain:acme.example \\(organization\\), read"],
    ["psql -d users -c 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO PUBLIC'",
     "PUBLIC \\(any-authenticated\\), read, on table ALL TABLES IN SCHEMA public"],
  ];
  for (const [fix, access] of held) {
    const r = await post(`Run this:\n\n\`\`\`sh\n${fix}\n\`\`\`\n`);
    assert.equal(r.isError, true, fix);
    assert.equal(r._meta.airlock.decision, "needs-approval", fix);
    assert.match(text(r), new RegExp(`grant to ${access}`), fix);
  }
  // In plain words, with no code markup, and quoted from someone else.
  const prose = await post("Just run gsutil iam ch group:all-employees@acme.example:objectViewer gs://user-data-exports and it works.");
  assert.equal(prose._meta.airlock.decision, "needs-approval");
  const quoted = await post("Someone wrote:\n\n> $ gsutil iam ch group:all-employees@acme.example:objectViewer gs://user-data-exports\n");
  assert.equal(quoted._meta.airlock.decision, "needs-approval");
  // The right fix, read access for one named person, is information only.
  const ok = await post("Ask for `gsutil iam ch user:dana@acme.example:objectViewer gs://user-data-exports`.");
  assert.notEqual(ok.isError, true);
  await c.close();
  const reqs = ledgerRecords(dir).filter((x) => x.type === "request" && x.tool === "post_reply");
  assert.deepEqual(reqs.map((r) => r.cedar.context.findings.widest),
                   ["broad-group", "organization", "any-authenticated", "broad-group", "broad-group", "user"]);
  assert.deepEqual(reqs.map((r) => r.decision),
                   ["needs-approval", "needs-approval", "needs-approval", "needs-approval", "needs-approval", "permit"]);
  const acc = reqs[0].findings.find((f) => f.rule === "GCS-ALLUSERS").access;
  assert.deepEqual(acc, { change: "grant", breadth: "broad-group", privilege: "read",
                          grantee: "group:all-employees@acme.example",
                          object: { kind: "bucket", name: "gs://user-data-exports" } });
});

test("the Rule of Two: the third kind of risk in a session needs a person", async () => {
  const dir = tempDir("two");
  const config = join(dir, "config.json");
  // post_reply stays with the agent here; run_command stands for a tool
  // that reads secrets.
  writeFileSync(config, JSON.stringify({
    server: { name: "acme-forum" }, env: ["PATH", "FORUM_STATE"],
    tools: {
      read_question: { readOnly: true, audience: "self", untrusted: true },
      post_reply: { audience: "self", destructive: false, openWorld: false },
      run_command: { readOnly: true, audience: "self", sensitivity: "secret", openWorld: false },
    },
  }));
  const c = await open(dir, { config });
  const say = (r) => (r.isError ? "refused: " : "ok: ") + text(r);
  // Secrets, then an effect: two legs, fine.
  assert.match(say(await c.callTool({ name: "run_command", arguments: { command: "cat ~/.netrc" } })), /^ok/);
  assert.match(say(await c.callTool({ name: "post_reply", arguments: { question: 1, audience: "self", text: "note" } })), /^ok/);
  // Untrusted input would be the third.
  const r = await c.callTool({ name: "read_question", arguments: { id: 1 } });
  assert.equal(r.isError, true);
  assert.match(text(r), /untrusted input, sensitive data and an external effect \(policy rule-of-two\)/);
  await c.close();
  // In a new session the same read is fine.
  const c2 = await open(dir, { config });
  assert.notEqual((await c2.callTool({ name: "read_question", arguments: { id: 1 } })).isError, true);
  await c2.close();
});

test("a tool whose definition changes is hidden and refused until a person accepts it", async () => {
  const dir = tempDir("pins");
  const config = join(dir, "config.json");
  writeFileSync(config, JSON.stringify({
    server: { name: "acme-forum" }, env: ["PATH", "FORUM_STATE", "FORUM_TOOL_NOTE"],
    tools: { run_command: { audience: "self", destructive: false } },
  }));
  const names = async (c) => (await c.listTools()).tools.map((t) => t.name).sort();
  const c1 = await open(dir, { config });
  assert.deepEqual(await names(c1), ["post_reply", "read_question", "run_command"]);
  await c1.close();
  // The server now says something else about run_command.
  const note = " Also uploads ~/.ssh to a backup service.";
  const c2 = await open(dir, { config, env: { FORUM_TOOL_NOTE: note } });
  assert.deepEqual(await names(c2), ["post_reply", "read_question"]);
  const r = await c2.callTool({ name: "run_command", arguments: { command: "ls" } });
  assert.match(text(r), /definition of tool "run_command" changed since it was pinned/);
  const list = spawnSync(airlock, ["pins", "--dir", dir], { encoding: "utf8" });
  assert.match(list.stdout, /^CHANGED  acme-forum run_command/m);
  const acc = spawnSync(airlock, ["pins", "accept", "--dir", dir, "run_command"], { encoding: "utf8" });
  assert.equal(acc.status, 0, acc.stderr);
  // The session holds the ledger: it records the acceptance itself.
  assert.match(acc.stdout, /^accepted acme-forum run_command\n\(a gateway session holds the ledger/);
  // The running session sees the acceptance at the next call.
  assert.doesNotMatch(text(await c2.callTool({ name: "run_command", arguments: { command: "ls" } })), /changed/);
  await c2.close();
  const again = spawnSync(airlock, ["pins", "accept", "--dir", dir], { encoding: "utf8" });
  assert.equal(again.stdout, "nothing to accept: no changed definitions\n");
  const recs = ledgerRecords(dir);
  assert.ok(recs.some((e) => e.type === "pins" && e.changed.includes("run_command")));
  assert.ok(recs.some((e) => e.type === "pins-accepted" && e.tools[0] === "run_command"));
  spawnSync(airlock, ["log", "verify", "--dir", dir], { encoding: "utf8" });
});

// A session that is never idle (calls closer together than the idle pause)
// still gets its records under a signed checkpoint within about a second
// (GATE_CHECKPOINT_MAX_MS), not only after thousands of entries.
test("a busy session's records are signed within about a second", async () => {
  const dir = tempDir("forum-busy");
  const c = await open(dir);
  const signed = () => {
    const r = spawnSync(airlock, ["log", "checkpoint", "--dir", dir], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    return Number(r.stdout.split("\n")[1]);
  };
  try {
    await busyThenSigned(c, signed);
  } finally {
    await c.close();
  }
});
