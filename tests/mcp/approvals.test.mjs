// Held for a person: approvals, grants and exposures, end to end through
// `airlock mcp --daemon` (as the agent's user), airlockd (as its own user)
// and the people's commands (as other users).  Needs root (useradd).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { airlock, tempDir, ledgerRecords, airlockRun } from "./helpers.mjs";
import { forum, AGENT_USER, isRoot, asanEnv, ensureUser, text, daemons } from "./daemon-helpers.mjs";

const APPROVER = "airlock-approver";   // in Group::"security"
const APPROVER2 = "airlock-approver2"; // in Group::"security" too
const BYSTANDER = "airlock-bystander"; // a local user in no group, who never ran an agent
// root is in Group::"approvers": it may decide, but not what widens access.
const skip = !isRoot && "needs root to make users";

let base, D, entities;

before(() => {
  if (!isRoot) return;
  base = tempDir("approvals");
  chmodSync(base, 0o755);
  D = daemons(base);
  ensureUser(APPROVER);
  ensureUser(APPROVER2);
  ensureUser(BYSTANDER);
  entities = join(base, "entities.json");
  writeFileSync(entities, JSON.stringify([
    ...[APPROVER, APPROVER2].map((id) => ({
      uid: { type: "User", id }, attrs: {}, parents: [{ type: "Group", id: "security" }] })),
    { uid: { type: "User", id: "root" }, attrs: {}, parents: [{ type: "Group", id: "approvers" }] }]));
  chmodSync(entities, 0o644);
});

after(() => D && D.stopAll());

// A configuration: the forum's, with approvals settings.
function config(name, approvals = {}) {
  const c = JSON.parse(readFileSync(join(forum, "airlock.json"), "utf8"));
  const p = join(base, `${name}.json`);
  writeFileSync(p, JSON.stringify({ ...c, approvals }));
  chmodSync(p, 0o644);
  return p;
}

async function daemon(name, approvals) {
  const d = D.start(name, ["--entities", entities], config(name, approvals));
  await d.ready;
  return d;
}

// A people's command as user (null: root); {status, stdout, stderr}.
function as(user, d, args) {
  const cmd = user ? "runuser" : airlock;
  const argv = [...(user ? ["-u", user, "--", airlock] : []), ...args, "--socket", d.sock];
  return spawnSync(cmd, argv, { encoding: "utf8", env: asanEnv(), maxBuffer: 256 << 20 });
}

async function holds(d, n = 1) {
  for (let i = 0; i < 600; i++) {
    const out = JSON.parse(as(APPROVER, d, ["pending", "--json"]).stdout);
    if (out.holds.length >= n) return out.holds;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`fewer than ${n} calls were held`);
}

const posts = (state) => existsSync(state) ? JSON.parse(readFileSync(state, "utf8")).posts ?? [] : [];
const LONG = { timeout: 600000 };

test("a held call completes after another user approves it; self-approval is refused", { skip }, async () => {
  const d = await daemon("approve");
  const state = join(D.agentDir("approve-agent"), "forum.json");
  const c = await D.agent(d, state);
  const call = c.callTool({ name: "post_reply", arguments: { question: 1, audience: "company",
                                                            text: "see the runbook" } }, undefined, LONG);
  const [h] = await holds(d);
  assert.equal(h.agent, "forum-helper");
  assert.equal(h.user, AGENT_USER);
  assert.equal(h.tool, "post_reply");
  assert.deepEqual(h.params.arguments, { question: 1, audience: "company", text: "see the runbook" });
  // The agent's own user cannot approve: it runs agents.
  const self = as(AGENT_USER, d, ["approve", h.id]);
  assert.equal(self.status, 1);
  assert.match(self.stderr, /refused: a user that runs agents cannot take part in approvals/);
  // Attack: a local user who never ran an agent is no approver for that
  // alone, and learns nothing of ids (a made-up one is refused the same).
  for (const id of [h.id, "h-0000000000"]) {
    const by = as(BYSTANDER, d, ["approve", id]);
    assert.equal(by.status, 1);
    assert.match(by.stderr, /refused: no policy permits it/);
  }
  assert.match(as(BYSTANDER, d, ["pending"]).stderr, /refused: no policy permits it/);
  assert.match(as(AGENT_USER, d, ["approve", "h-0000000000"]).stderr, /refused: a user that runs agents/);
  assert.match(as(null, d, ["approve", "h-0000000000"]).stderr, /no held call h-0000000000/);
  assert.deepEqual(posts(state), [], "nothing reached the forum while held");
  const ok = as(APPROVER, d, ["approve", h.id, "--reason", "fine for the company"]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, new RegExp(`^approved ${h.id}: the call goes through`));
  const r = await call;
  assert.notEqual(r.isError, true, text(r));
  assert.match(text(r), /posted to question 1 for company/);
  assert.equal(posts(state).length, 1);
  // Decided once: a second decision is refused.
  assert.match(as(APPROVER2, d, ["deny", h.id, "--reason", "late"]).stderr, /is not waiting: it was used/);
  // The daemon's ledger, read through it by a person; not by the agent's user.
  const shown = as(APPROVER, d, ["log", "show"]);
  assert.equal(shown.status, 0, shown.stderr);
  assert.match(shown.stdout, new RegExp(`approval ${APPROVER} approved ${h.id}: fine for the company`));
  assert.match(shown.stdout, /forum-helper -> tools\/call post_reply: needs-approval/);
  assert.match(as(AGENT_USER, d, ["log", "show"]).stderr, /refused: a user that runs agents/);
  // Attack: the ledger holds every call's arguments whole; a bystander and
  // an approver who is not an auditor or in security do not read it.
  assert.match(as(BYSTANDER, d, ["log", "show"]).stderr, /refused: no policy permits it/);
  assert.match(as(null, d, ["log", "show"]).stderr, /refused: no policy permits it/);
  assert.match(as(APPROVER, d, ["log", "checkpoint"]).stdout, /^.+\/airlockd\n\d+\n[A-Za-z0-9+/=]+\n\n/);
  assert.match(as(APPROVER, d, ["log", "verify"]).stderr, /only show and checkpoint go through airlockd/);
  // Reloading who may approve what: security only.
  assert.match(as(APPROVER, d, ["policy", "reload"]).stdout, /reloaded its administrative policies/);
  assert.match(as(null, d, ["policy", "reload"]).stderr, /refused: no policy permits it/);
  await c.close();
  await D.stop(d);
  const recs = ledgerRecords(d.dir);
  const types = recs.map((x) => x.type);
  for (const t of ["hold", "refused", "approval", "approval-used", "policies-reloaded"])
    assert.ok(types.includes(t), `a ${t} record`);
  const appr = recs.find((x) => x.type === "approval");
  assert.deepEqual([appr.hold, appr.by, appr.reason, appr.released], [h.id, APPROVER, "fine for the company", true]);
  assert.match(airlockRun(["log", "verify", "--dir", d.dir]), /^OK: /);
});

test("a denied call returns the denial and its reason; a cancelled one is withdrawn", { skip }, async () => {
  const d = await daemon("deny");
  const state = join(D.agentDir("deny-agent"), "forum.json");
  const c = await D.agent(d, state);
  const call = c.callTool({ name: "post_reply", arguments: { question: 1, audience: "public", text: "a" } },
                          undefined, LONG);
  const [h] = await holds(d);
  assert.equal(as(APPROVER, d, ["deny", h.id, "--reason", "not for the public"]).status, 0);
  // A secret in a held call's arguments is starred for people.
  const token = "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";
  const secret = c.callTool({ name: "post_reply", arguments: { question: 1, audience: "public",
                                                              text: `use ${token} here` } }, undefined, LONG);
  const [hs] = await holds(d);
  const listed = as(APPROVER, d, ["pending", "--json"]).stdout;
  assert.ok(!listed.includes(token), "the token is not shown");
  assert.match(listed, /use \*{36}uDeu here/);
  as(APPROVER, d, ["deny", hs.id, "--reason", "a token"]);
  assert.equal((await secret).isError, true);
  // Attack: what hid past the first 400 bytes of the arguments was never
  // shown to the approver; and the agent's bytes must not steer the
  // terminal.
  const long = `${"harmless words ".repeat(60)}then rm -rf ~ \u001b[2K\u009b at the end`;
  const big = c.callTool({ name: "post_reply", arguments: { question: 1, audience: "public", text: long } },
                         undefined, LONG);
  const [hb] = await holds(d);
  const shownBig = as(APPROVER, d, ["pending"]).stdout;
  assert.match(shownBig, /then rm -rf ~ \\u001b\[2K\\u009b at the end/i);
  assert.ok(!shownBig.includes("\u001b") && !shownBig.includes("\u009b"), "no control character reaches the terminal");
  as(APPROVER, d, ["deny", hb.id, "--reason", "long"]);
  assert.equal((await big).isError, true);
  const r = await call;
  assert.equal(r.isError, true);
  assert.match(text(r), new RegExp(`${APPROVER} denied it \\(not for the public\\)`));
  assert.equal(r._meta.airlock.hold, h.id);
  // Cancelled by the client: withdrawn, no longer pending.
  const ac = new AbortController();
  const call2 = c.callTool({ name: "post_reply", arguments: { question: 1, audience: "public", text: "b" } },
                           undefined, { ...LONG, signal: ac.signal });
  const [h2] = await holds(d);
  ac.abort("the user changed their mind");
  await assert.rejects(call2);
  for (let i = 0; i < 100 && JSON.parse(as(APPROVER, d, ["pending", "--json"]).stdout).holds.length; i++)
    await new Promise((res) => setTimeout(res, 50));
  assert.deepEqual(JSON.parse(as(APPROVER, d, ["pending", "--json"]).stdout).holds, []);
  assert.match(as(APPROVER, d, ["approve", h2.id]).stderr, /is not waiting: it was withdrawn/);
  await c.close();
  await D.stop(d);
  assert.deepEqual(posts(state), []);
  assert.ok(ledgerRecords(d.dir).some((x) => x.type === "withdrawn" && x.hold === h2.id));
});

test("a grant lets the same call through until it expires; revoke ends one", { skip }, async () => {
  const d = await daemon("grant");
  const state = join(D.agentDir("grant-agent"), "forum.json");
  const c = await D.agent(d, state);
  const args = { question: 2, audience: "company", text: "status update" };
  const call = c.callTool({ name: "post_reply", arguments: args }, undefined, LONG);
  const [h] = await holds(d);
  const ok = as(APPROVER, d, ["approve", h.id, "--for", "3s"]);
  assert.match(ok.stdout, /grant g-[0-9a-f]+ lets the same call through/);
  assert.notEqual((await call).isError, true);
  // The same call again: through at once, under the grant.
  const again = await c.callTool({ name: "post_reply", arguments: args });
  assert.notEqual(again.isError, true, text(again));
  const grants = JSON.parse(as(APPROVER, d, ["grants", "--json"]).stdout).grants;
  assert.deepEqual(grants.map((g) => [g.state, g.tool, g.by]), [["active", "post_reply", APPROVER]]);
  // Other arguments are another call: held.
  const other = c.callTool({ name: "post_reply", arguments: { ...args, text: "else" } }, undefined, LONG);
  const [h2] = await holds(d);
  as(APPROVER, d, ["deny", h2.id, "--reason", "no"]);
  assert.equal((await other).isError, true);
  // After expiry, the same call is held again.
  await new Promise((r) => setTimeout(r, 3200));
  const late = c.callTool({ name: "post_reply", arguments: args }, undefined, LONG);
  const [h3] = await holds(d);
  assert.notEqual(h3.id, h.id);
  assert.equal(JSON.parse(as(APPROVER, d, ["grants", "--json"]).stdout).grants[0].state, "expired");
  // Approve with a new grant, and revoke it.
  as(APPROVER, d, ["approve", h3.id, "--for", "1h"]);
  assert.notEqual((await late).isError, true);
  const g = JSON.parse(as(APPROVER, d, ["grants", "--json"]).stdout).grants.find((x) => x.state === "active");
  assert.match(as(AGENT_USER, d, ["revoke", g.id]).stderr, /refused/);
  assert.match(as(APPROVER, d, ["revoke", g.id]).stdout, /^revoked g-/);
  const held = c.callTool({ name: "post_reply", arguments: args }, undefined, LONG);
  const [h4] = await holds(d);
  as(APPROVER, d, ["deny", h4.id, "--reason", "revoked"]);
  assert.equal((await held).isError, true);
  await c.close();
  await D.stop(d);
  // Approved, under the grant, approved again: three posts.
  assert.equal(posts(state).length, 3);
  const types = ledgerRecords(d.dir).map((x) => x.type);
  for (const t of ["grant-used", "grant-expired", "grant-revoked"])
    assert.ok(types.includes(t), `a ${t} record`);
});

test("an access-widening command opens an exposure, listed with its age, closed by the narrowing command; a webhook is told", { skip }, async () => {
  const got = [];
  const hook = createServer((req, res) => {
    let b = "";
    req.on("data", (x) => (b += x));
    req.on("end", () => { got.push(JSON.parse(b)); res.end("ok"); });
  });
  await new Promise((r) => hook.listen(0, "127.0.0.1", r));
  const d = await daemon("exposure", { webhook: `http://127.0.0.1:${hook.address().port}/hook`,
                                       exposureAlertAfter: "1s", exposureAlertEvery: "1h" });
  const state = join(D.agentDir("exposure-agent"), "forum.json");
  const c = await D.agent(d, state);
  const call = c.callTool({ name: "run_command", arguments: { command: "chmod -R 777 /srv/data" } },
                          undefined, LONG);
  const [h] = await holds(d);
  assert.deepEqual(h.categories, ["widens-access"]);
  // Widening access takes a member of security: root, an approver, is not one.
  const root = as(null, d, ["approve", h.id]);
  assert.match(root.stderr, /refused: approving a command that widens access needs a member of Group::"security"/);
  const shown = as(APPROVER, d, ["pending"]).stdout;
  assert.match(shown, /CHMOD-WIDEN \(widens-access, high\)/);
  assert.match(shown, /\| chmod -R 777 \/srv\/data\n +\| \^{22}/);
  as(APPROVER, d, ["approve", h.id]);
  assert.notEqual((await call).isError, true);
  let ex = JSON.parse(as(APPROVER, d, ["exposure", "--json"]).stdout).exposures;
  assert.equal(ex.length, 1);
  assert.equal(ex[0].rule, "CHMOD-WIDEN");
  assert.equal(ex[0].what, "chmod -R 777 /srv/data");
  assert.equal(ex[0].agent, "forum-helper");
  assert.ok(!("closed" in ex[0]));
  // The alert comes after exposureAlertAfter.
  for (let i = 0; i < 100 && !got.some((g) => g.airlock.event === "exposure-open"); i++)
    await new Promise((r) => setTimeout(r, 50));
  assert.ok(got.some((g) => g.airlock.event === "held" && g.text.includes(h.id)), "held was announced");
  const alert = got.find((g) => g.airlock.event === "exposure-open");
  assert.match(alert.text, new RegExp(`exposure ${ex[0].id} is open for \\d+s: chmod -R 777 /srv/data`));
  assert.match(as(APPROVER, d, ["exposure", "--open"]).stdout, /OPEN for \d+s +CHMOD-WIDEN by forum-helper/);
  // The narrowing command (held too: run_command destroys) closes it.
  const narrow = c.callTool({ name: "run_command", arguments: { command: "chmod -R 750 /srv/data" } },
                            undefined, LONG);
  const [h2] = await holds(d);
  as(APPROVER, d, ["approve", h2.id]);
  assert.notEqual((await narrow).isError, true);
  ex = JSON.parse(as(APPROVER, d, ["exposure", "--json"]).stdout).exposures;
  assert.equal(ex[0].closedBy, 'Agent::"forum-helper"');
  assert.match(ex[0].note, /narrowed by: chmod -R 750 \/srv\/data/);
  assert.ok(ex[0].duration >= 1);
  await c.close();
  await D.stop(d);
  hook.close();
  const types = ledgerRecords(d.dir).map((x) => x.type);
  for (const t of ["exposure-open", "exposure-alert", "exposure-closed"])
    assert.ok(types.includes(t), `a ${t} record`);
});

test("a grant to a broad group opens an exposure with its access change; revoking the grant closes it", { skip }, async () => {
  const d = await daemon("revoke");
  const state = join(D.agentDir("revoke-agent"), "forum.json");
  const c = await D.agent(d, state);
  const grant = "gsutil iam ch group:all-employees@acme.example:objectViewer gs://user-data-exports";
  const call = c.callTool({ name: "run_command", arguments: { command: grant } }, undefined, LONG);
  const [h] = await holds(d);
  as(APPROVER, d, ["approve", h.id]);
  assert.notEqual((await call).isError, true);
  let [e] = JSON.parse(as(APPROVER, d, ["exposure", "--json"]).stdout).exposures;
  assert.equal(e.rule, "GCS-ALLUSERS");
  assert.deepEqual(e.access, { change: "grant", breadth: "broad-group", privilege: "read",
                               grantee: "group:all-employees@acme.example",
                               object: { kind: "bucket", name: "gs://user-data-exports" } });
  // A revoke of another grantee on the same bucket leaves it open.
  const other = c.callTool({ name: "run_command",
                             arguments: { command: "gsutil iam ch -d user:dana@acme.example gs://user-data-exports" } },
                           undefined, LONG);
  as(APPROVER, d, ["approve", (await holds(d))[0].id]);
  assert.notEqual((await other).isError, true);
  [e] = JSON.parse(as(APPROVER, d, ["exposure", "--json"]).stdout).exposures;
  assert.ok(!("closed" in e));
  // The revoke of this grant closes it.
  const revoke = c.callTool({ name: "run_command",
                              arguments: { command: "gsutil iam ch -d group:all-employees@acme.example:objectViewer gs://user-data-exports" } },
                            undefined, LONG);
  as(APPROVER, d, ["approve", (await holds(d))[0].id]);
  assert.notEqual((await revoke).isError, true);
  [e] = JSON.parse(as(APPROVER, d, ["exposure", "--json"]).stdout).exposures;
  assert.equal(e.closedBy, 'Agent::"forum-helper"');
  assert.match(e.note, /revoked by: gsutil iam ch -d group:all-employees@acme.example/);
  await c.close();
  await D.stop(d);
  const recs = ledgerRecords(d.dir);
  const opened = recs.find((x) => x.type === "exposure-open");
  assert.equal(opened.access.breadth, "broad-group");
  const closed = recs.find((x) => x.type === "exposure-closed");
  assert.equal(closed.access.change, "revoke");
});

test("a person closes an exposure with a note; an agent's user cannot; exposures survive a restart", { skip }, async () => {
  let d = await daemon("close");
  const state = join(D.agentDir("close-agent"), "forum.json");
  const c = await D.agent(d, state);
  const call = c.callTool({ name: "run_command", arguments: { command: "chmod 777 /srv/shared" } },
                          undefined, LONG);
  const [h] = await holds(d);
  as(APPROVER, d, ["approve", h.id]);
  assert.notEqual((await call).isError, true);
  await c.close();
  // Exposures survive a restart of airlockd.
  await D.stop(d);
  d = await daemon("close");
  const [e] = JSON.parse(as(APPROVER, d, ["exposure", "--json"]).stdout).exposures;
  assert.ok(!("closed" in e));
  assert.match(as(AGENT_USER, d, ["exposure", "close", e.id, "--note", "x"]).stderr, /refused/);
  assert.match(as(APPROVER, d, ["exposure", "close", e.id]).stderr, /give --note TEXT/);
  assert.match(as(APPROVER, d, ["exposure", "close", e.id, "--note", "rule removed by hand"]).stdout, /^closed x-/);
  const [e2] = JSON.parse(as(APPROVER, d, ["exposure", "--json"]).stdout).exposures;
  assert.deepEqual([e2.closedBy, e2.note], [APPROVER, "rule removed by hand"]);
  await D.stop(d);
});

// RFC 6238 in node, as an authenticator app computes it.
function totp(secretB32, t = Date.now() / 1000) {
  const A = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const ch of secretB32) bits += A.indexOf(ch).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(t / 30)));
  const mac = createHmac("sha1", key).update(msg).digest();
  const off = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1e6).padStart(6, "0");
}

test("a critical finding needs two people from security and a one-time code from each", { skip }, async () => {
  const d = await daemon("critical");
  const state = join(D.agentDir("critical-agent"), "forum.json");
  const c = await D.agent(d, state);
  const call = c.callTool({ name: "run_command", arguments: {
    command: "gsutil iam ch allUsers:objectViewer gs://acme-user-exports" } }, undefined, LONG);
  const [h] = await holds(d);
  assert.equal(h.severity, 4);
  assert.match(as(APPROVER, d, ["approve", h.id]).stderr, /needs a one-time code/);
  assert.match(as(APPROVER, d, ["approve", h.id, "--code", "123456"]).stderr, /enrolled no authenticator/);
  const enroll = as(APPROVER, d, ["totp", "enroll"]);
  const secret = enroll.stdout.match(/secret +([A-Z2-7]+)/)[1];
  assert.match(enroll.stdout, /otpauth:\/\/totp\/airlock:airlock-approver\?secret=/);
  // Re-enrolling takes a code from the authenticator already enrolled.
  assert.match(as(APPROVER, d, ["totp", "enroll"]).stderr, /give a code from it/);
  const s2 = as(APPROVER2, d, ["totp", "enroll"]).stdout.match(/secret +([A-Z2-7]+)/)[1];
  assert.match(as(APPROVER, d, ["approve", h.id, "--code", "000000"]).stderr, /code is wrong/);
  const first = as(APPROVER, d, ["approve", h.id, "--code", totp(secret)]);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /your approval is recorded \(1 so far\); it still waits: .*second person/);
  // The same code again is refused (replay), and the same person twice counts once.
  assert.match(as(APPROVER, d, ["approve", h.id, "--code", totp(secret)]).stderr, /used already/);
  const second = as(APPROVER2, d, ["approve", h.id, "--code", totp(s2)]);
  assert.match(second.stdout, /^approved /);
  assert.notEqual((await call).isError, true);
  await c.close();
  await D.stop(d);
  const appr = ledgerRecords(d.dir).filter((x) => x.type === "approval");
  assert.deepEqual(appr.map((x) => [x.by, x.released]), [[APPROVER, false], [APPROVER2, true]]);
});

test("held calls and grants survive a restart of airlockd; the waiting call completes after it", { skip }, async () => {
  const d = await daemon("restart");
  const state = join(D.agentDir("restart-agent"), "forum.json");
  const c = await D.agent(d, state);
  // A grant first.
  const granted = { question: 3, audience: "public", text: "granted" };
  const g = c.callTool({ name: "post_reply", arguments: granted }, undefined, LONG);
  const [hg] = await holds(d);
  as(APPROVER, d, ["approve", hg.id, "--for", "1h"]);
  assert.notEqual((await g).isError, true);
  const call = c.callTool({ name: "post_reply", arguments: { question: 3, audience: "public", text: "r" } },
                          undefined, LONG);
  const [h] = await holds(d);
  await D.stop(d);
  const d2 = await daemon("restart");
  assert.match(d2.stderr(), /1 held calls are still waiting for a person/);
  const [again] = await holds(d2);
  assert.equal(again.id, h.id);
  // The client reconnects (within MCP_HOLD_POLL_MS) and waits again.
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(as(APPROVER, d2, ["approve", h.id]).status, 0);
  const r = await call;
  assert.notEqual(r.isError, true, text(r));
  // The grant still holds after the restart.
  assert.equal(JSON.parse(as(APPROVER, d2, ["grants", "--json"]).stdout).grants[0].state, "active");
  assert.notEqual((await c.callTool({ name: "post_reply", arguments: granted })).isError, true);
  assert.equal(posts(state).length, 3);
  await c.close();
  await D.stop(d2);
});

test("while a call is held, a client that gave a progress token gets progress notifications", { skip }, async () => {
  const d = await daemon("progress");
  const state = join(D.agentDir("progress-agent"), "forum.json");
  const c = await D.agent(d, state);
  const seen = [], t0 = Date.now();
  let failed = null;
  // The client gives up after 6 s without progress; airlock sends one at
  // once and one every MCP_HOLD_PROGRESS_MS (5 s).
  const call = c.callTool({ name: "post_reply", arguments: { question: 5, audience: "public", text: "p" } },
                          undefined, { timeout: 6000, resetTimeoutOnProgress: true,
                                       onprogress: (p) => seen.push(p) });
  call.catch((e) => (failed = e));
  const [h] = await holds(d);
  // Past the client's own timeout: progress kept it waiting.
  while (!failed && (seen.length < 1 || Date.now() - t0 < 7000) && Date.now() - t0 < 30000)
    await new Promise((r) => setTimeout(r, 200));
  assert.equal(failed, null);
  as(APPROVER, d, ["approve", h.id]);
  assert.notEqual((await call).isError, true);
  assert.match(seen[0].message, new RegExp(`airlock holds this call for a person's approval \\(${h.id}\\)`));
  assert.equal(seen[0].progress, 1);
  assert.ok(seen.length >= 2, "one at once, one after MCP_HOLD_PROGRESS_MS");
  await c.close();
  await D.stop(d);
});

test("a call the client gave up on (timeout) stays held; approved, the same call again goes through", { skip }, async () => {
  const d = await daemon("retry");
  const state = join(D.agentDir("retry-agent"), "forum.json");
  const c = await D.agent(d, state);
  const args = { question: 4, audience: "public", text: "retry me" };
  await assert.rejects(c.callTool({ name: "post_reply", arguments: args }, undefined, { timeout: 1500 }),
                       /timed out/);
  const [h] = await holds(d);
  assert.equal(as(APPROVER, d, ["approve", h.id]).status, 0);
  const r = await c.callTool({ name: "post_reply", arguments: args });
  assert.notEqual(r.isError, true, text(r));
  assert.equal(posts(state).length, 1);
  assert.deepEqual(JSON.parse(as(APPROVER, d, ["pending", "--json"]).stdout).holds, []);
  await c.close();
  await D.stop(d);
});

test("1,000 calls held at once by 10 airlock processes, decided in random order: each gets its answer", { skip }, async () => {
  const d = await daemon("many");
  const N = 10, PER = 100;
  const clients = [], states = [];
  for (let i = 0; i < N; i++) {
    states.push(join(D.agentDir(`many-${i}`), "forum.json"));
    clients.push(await D.agent(d, states[i]));
  }
  const calls = [];
  for (let i = 0; i < N; i++)
    for (let j = 0; j < PER; j++)
      calls.push(clients[i].callTool({ name: "post_reply", arguments: {
        question: j, audience: "public", text: `p${i}-${j}` } }, undefined, LONG));
  const hs = await holds(d, N * PER);
  assert.equal(hs.length, N * PER);
  // Approve the even ones, deny the odd ones, in random order, 8 at a time.
  const order = hs.map((h) => [Math.random(), h]).sort((a, b) => a[0] - b[0]).map((x) => x[1]);
  const run = (h) => new Promise((resolve) => {
    const approve = h.params.arguments.question % 2 === 0;
    const p = spawn("runuser", ["-u", APPROVER, "--", airlock, approve ? "approve" : "deny", h.id,
                                ...(approve ? [] : ["--reason", "odd"]), "--socket", d.sock],
                    { env: asanEnv(), stdio: "ignore" });
    p.on("exit", resolve);
  });
  for (let k = 0; k < order.length; k += 8)
    assert.deepEqual(await Promise.all(order.slice(k, k + 8).map(run)), order.slice(k, k + 8).map(() => 0));
  const results = await Promise.all(calls);
  results.forEach((r, n) => {
    const j = n % PER;
    if (j % 2 === 0) assert.notEqual(r.isError, true, text(r));
    else assert.match(text(r), /denied it \(odd\)/);
  });
  for (const c of clients) await c.close();
  await D.stop(d);
  states.forEach((s, i) => assert.deepEqual(posts(s).map((p) => p.text).sort(),
    Array.from({ length: PER / 2 }, (_, k) => `p${i}-${2 * k}`).sort()));
});
