// airlockd, the trust boundary: the daemon runs as a user of its own and
// holds the policies, the ledger and its key; `airlock mcp --daemon` runs as
// the agent's user and asks it for every decision.  The users are made
// here (useradd), so these tests need root, as CI has.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createConnection } from "node:net";
import { airlock, tempDir, ledgerRecords, airlockRun, busyThenSigned } from "./helpers.mjs";
import { forum, DAEMON_USER, AGENT_USER, isRoot, asanEnv, text, daemons } from "./daemon-helpers.mjs";

let base, daemonUid, agentUid, startDaemon, stop, agent, agentDir, stopAll;

before(() => {
  if (!isRoot) return;
  base = tempDir("daemon");
  chmodSync(base, 0o755);
  ({ daemonUid, agentUid, start: startDaemon, stop, agent, agentDir, stopAll } = daemons(base));
});

// The first call airlockd holds, once it does.
async function pendingHold(d) {
  for (let i = 0; i < 200; i++) {
    const out = JSON.parse(airlockRun(["pending", "--json", "--socket", d.sock]));
    if (out.holds.length) return out.holds[0];
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("nothing was held");
}

test("through airlockd: the incident is decided by the daemon and recorded in its ledger, with the agent's uid", { skip: !isRoot && "needs root to make users" }, async () => {
  const d = startDaemon("incident");
  await d.ready;
  // Two processes: the daemon, and the signer that alone holds the key.
  const procs = spawnSync("pgrep", ["-u", DAEMON_USER, "-f", `daemon --socket ${d.sock}`],
                          { encoding: "utf8" }).stdout.trim().split("\n");
  assert.equal(procs.length, 2);
  // Both run under a seccomp filter (mode 2): the signer's allow list, the
  // daemon's deny list (no exec, no fork, no ptrace: docs/daemon.md).
  for (const pid of procs)
    assert.match(readFileSync(`/proc/${pid}/status`, "utf8"), /^Seccomp:\s+2$/m);
  const state = join(agentDir("incident-agent"), "forum.json");
  const c = await agent(d, state);
  const q = await c.callTool({ name: "read_question", arguments: { id: 1 } });
  assert.notEqual(q.isError, true);
  // Held for a person; one who is not the agent's user denies it.
  const call = c.callTool({ name: "post_reply", arguments: { question: 1, audience: "public",
    text: "Run `gsutil iam ch allUsers:objectViewer gs://acme-user-exports`." } });
  const held = await pendingHold(d);
  assert.equal(held.tool, "post_reply");
  assert.equal(held.user, AGENT_USER);
  assert.match(airlockRun(["deny", held.id, "--reason", "not in public", "--socket", d.sock]),
               /^denied h-/);
  const r = await call;
  assert.equal(r.isError, true);
  assert.match(text(r), /root denied it \(not in public\)/);
  assert.match(text(r), /policy wide-audience/);
  assert.match(text(r), /GCS-ALLUSERS \(widens-access, critical\)/);
  await c.close();
  assert.ok(!existsSync(state), "nothing reached the forum");
  await stop(d);
  const recs = ledgerRecords(d.dir);
  const session = recs.find((x) => x.type === "session");
  assert.equal(session.uid, agentUid);
  assert.equal(session.user, AGENT_USER);
  assert.deepEqual(recs.filter((x) => x.type === "request").map((x) => [x.tool, x.decision]),
                   [["read_question", "permit"], ["post_reply", "needs-approval"]]);
  // On whose behalf, for the policy: the kernel's user of the connection.
  assert.deepEqual(recs.find((x) => x.type === "request").cedar.context.user,
                   { __entity: { type: "User", id: AGENT_USER } });
  assert.match(airlockRun(["log", "verify", "--dir", d.dir]), /^OK: /);
});

// A daemon that is never quiet (a session calling closer together than its
// idle pause) still signs what it recorded within about a second.  The
// checkpoint file is read directly: `log checkpoint --socket` signs first.
test("a busy airlockd signs its records within about a second", { skip: !isRoot && "needs root to make users" }, async () => {
  const d = startDaemon("busy");
  await d.ready;
  const c = await agent(d, join(agentDir("busy-agent"), "forum.json"));
  const signed = () => Number(readFileSync(join(d.dir, "checkpoint"), "utf8").split("\n")[1]);
  try {
    await busyThenSigned(c, signed);
  } finally {
    await c.close();
    await stop(d);
  }
});

// What airlockd writes itself (here: the refusal of an agent's user who
// tried to approve) is signed once things are quiet, not only when a
// session next writes; and an idle daemon with everything signed wakes
// about once a second (its tick), not 20 times.
test("airlockd signs its own records when quiet, then sleeps", { skip: !isRoot && "needs root to make users" }, async () => {
  const d = startDaemon("quiet");
  await d.ready;
  const c = await agent(d, join(agentDir("quiet-agent"), "forum.json"));
  try {
    const call = c.callTool({ name: "post_reply", arguments: { question: 1, audience: "public", text: "hello" } });
    call.catch(() => {}); // a failure below closes the session: report that one
    const held = await pendingHold(d);
    await new Promise((r) => setTimeout(r, 200)); // the session's records signed
    const self = spawnSync("runuser", ["-u", AGENT_USER, "--", airlock, "approve", held.id,
                                       "--socket", d.sock], { encoding: "utf8", env: asanEnv() });
    assert.match(self.stderr, /refused: a user that runs agents/);
    await new Promise((r) => setTimeout(r, 1500));
    // Read from the files: only what a checkpoint covers is there.
    assert.ok(ledgerRecords(d.dir).some((x) => x.type === "refused" && x.on === held.id),
              "the refusal is under a signed checkpoint");
    airlockRun(["deny", held.id, "--reason", "not now", "--socket", d.sock]);
    assert.equal((await call).isError, true);
    await new Promise((r) => setTimeout(r, 1500)); // the denial signed
    const pid = spawnSync("pgrep", ["-u", DAEMON_USER, "-o", "-f", `daemon --socket ${d.sock}`],
                          { encoding: "utf8" }).stdout.trim();
    const wakes = () => Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(
      readFileSync(`/proc/${pid}/status`, "utf8"))[1]);
    const before = wakes();
    await new Promise((r) => setTimeout(r, 3000));
    const n = wakes() - before;
    assert.ok(n <= 12, `${n} wake-ups in 3 s of quiet`);
  } finally {
    await c.close();
    await stop(d);
  }
});

test("the agent's user cannot read the key, write the ledger or append to it", { skip: !isRoot && "needs root to make users" }, async () => {
  const d = startDaemon("boundary");
  await d.ready;
  const as = (...cmd) => spawnSync("runuser", ["-u", AGENT_USER, "--", ...cmd],
                                   { encoding: "utf8", env: asanEnv() });
  assert.notEqual(as("cat", join(d.dir, "key")).status, 0);
  assert.notEqual(as("touch", join(d.dir, "tile")).status, 0);
  assert.notEqual(as("ls", d.dir).status, 0);
  const append = as(airlock, "log", "append", "--dir", d.dir);
  assert.notEqual(append.status, 0);
  await stop(d);
});

test("airlockd unreachable or killed: the call is refused, never forwarded; restarted, it lost nothing", { skip: !isRoot && "needs root to make users" }, async () => {
  const d = startDaemon("kill");
  await d.ready;
  const state = join(agentDir("kill-agent"), "forum.json");
  const c = await agent(d, state);
  assert.notEqual((await c.callTool({ name: "read_question", arguments: { id: 1 } })).isError, true);
  const before = ledgerRecords(d.dir).length;
  await stop(d, "SIGKILL");
  // A post to its own audience is permitted by the policy: only the daemon's
  // absence refuses it, and the forum never sees it.
  const r = await c.callTool({ name: "run_command", arguments: { command: "ls" } });
  assert.equal(r.isError, true);
  assert.match(text(r), /airlockd did not decide it/);
  // Restarted on the same data: the session reconnects and goes on.
  const d2 = startDaemon("kill");
  await d2.ready;
  const q = await c.callTool({ name: "read_question", arguments: { id: 1 } });
  assert.notEqual(q.isError, true);
  await c.close();
  await stop(d2);
  const recs = ledgerRecords(d2.dir);
  assert.ok(recs.length > before, "the records written before the kill are all there");
  assert.deepEqual(recs.filter((x) => x.type === "request").map((x) => x.tool),
                   ["read_question", "read_question"]);
  assert.match(airlockRun(["log", "verify", "--dir", d2.dir]), /^OK: /);
});

test("airlockd refuses to start as root without --user, and on files others can change", { skip: !isRoot && "needs root" }, async () => {
  const home = tempDir("daemon-refuse");
  chmodSync(home, 0o755);
  const run = (args) => spawnSync(airlock, ["daemon", "--socket", join(home, "s"), ...args],
                                  { encoding: "utf8", env: asanEnv() });
  let r = run(["--dir", join(home, "d")]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /does not run as root: give --user NAME/);
  const loose = join(home, "loose.cedar");
  writeFileSync(loose, "permit (principal, action, resource);\n");
  chmodSync(loose, 0o666);
  r = run(["--dir", join(home, "d2"), "--user", DAEMON_USER, "--policies", loose]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /loose\.cedar is writable by other users \(mode 666\)/);
  const open = join(home, "open");
  mkdirSync(open, { mode: 0o755 });
  chownSync(open, daemonUid, 0);
  chmodSync(open, 0o755);
  r = spawnSync("runuser", ["-u", DAEMON_USER, "--", airlock, "daemon", "--socket",
                            join(open, "s.sock"), "--dir", open],
                { encoding: "utf8", env: asanEnv() });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /is open by other users \(mode 755\): chmod 700/);
});

test("airlockd started as root drops to --user before it reads anything", { skip: !isRoot && "needs root" }, async () => {
  const home = join(base, "drop");
  mkdirSync(home);
  chownSync(home, daemonUid, 0);
  const sock = join(home, "s"), dir = join(home, "data");
  // LeakSanitizer cannot follow a process that changed its uid.
  const p = spawn(airlock, ["daemon", "--socket", sock, "--dir", dir, "--user", DAEMON_USER],
                  { env: asanEnv({ ASAN_OPTIONS: "detect_leaks=0" }), stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  p.stderr.on("data", (x) => (err += x));
  await new Promise((resolve) => {
    const t = setInterval(() => { if (err.includes("listening on") || p.exitCode !== null) { clearInterval(t); resolve(); } }, 20);
  });
  assert.match(err, new RegExp(`listening on .* \\(uid ${daemonUid}\\)`));
  const st = spawnSync("stat", ["-c", "%U %a", dir], { encoding: "utf8" }).stdout.trim();
  assert.equal(st, `${DAEMON_USER} 700`);
  p.kill("SIGTERM");
  await new Promise((r) => p.on("exit", r));
  assert.ok(!existsSync(sock), "the socket is removed when it stops");
});

test("users: only the agents the configuration lets a user run; an unlisted user is refused", { skip: !isRoot && "needs root to make users" }, async () => {
  const config = join(base, "users.json");
  const forumConfig = JSON.parse(spawnSync("cat", [join(forum, "airlock.json")], { encoding: "utf8" }).stdout);
  writeFileSync(config, JSON.stringify({ ...forumConfig,
    users: { [AGENT_USER]: ["forum-helper"], root: ["bot-a", "bot-b"] } }));
  chmodSync(config, 0o644);
  const d = startDaemon("users", [], config);
  await d.ready;
  const state = join(agentDir("users-agent"), "forum.json");
  const c = await agent(d, state);
  assert.notEqual((await c.callTool({ name: "read_question", arguments: { id: 1 } })).isError, true);
  await c.close();
  const mcp = (user, agentName) => spawnSync(
    user ? "runuser" : airlock,
    [...(user ? ["-u", user, "--", airlock] : []), "mcp", "--daemon", d.sock,
     ...(agentName ? ["--agent", agentName] : []), "--", process.execPath, join(forum, "server.mjs")],
    { encoding: "utf8", env: asanEnv(), input: "" });
  // root may run two agents: one of them is fine, another name is refused.
  assert.equal(mcp(null, "bot-a").status, 0);
  const r = mcp(null, "other-bot");
  assert.equal(r.status, 1);
  assert.match(r.stderr, /airlockd: root may not run the agent "other-bot"/);
  // A user with one agent is that agent, whatever --agent says.
  assert.equal(mcp(AGENT_USER, "other-bot").status, 0);
  // A user the configuration does not list cannot start a session.
  const r2 = spawnSync("runuser", ["-u", "nobody", "--", airlock, "mcp", "--daemon", d.sock, "--",
                                   process.execPath, join(forum, "server.mjs")],
                       { encoding: "utf8", env: asanEnv(), input: "" });
  assert.equal(r2.status, 1);
  assert.match(r2.stderr, /airlockd: uid \d+ \(nobody\) may not run agents here/);
  await stop(d);
  const reqs = ledgerRecords(d.dir).filter((x) => x.type === "request");
  assert.deepEqual(reqs.map((x) => [x.agent, x.tool]), [["forum-helper", "read_question"]]);
});

test("servers: what the daemon's configuration says of a tool can differ per upstream", { skip: !isRoot && "needs root to make users" }, async () => {
  const forumConfig = JSON.parse(readFileSync(join(forum, "airlock.json"), "utf8"));
  // For acme-forum alone, run_command is read-only and the agent's own.
  const config = join(base, "servers.json");
  writeFileSync(config, JSON.stringify({ ...forumConfig, servers: { "acme-forum": { tools: {
    run_command: { readOnly: true, audience: "self", openWorld: false } } } } }));
  chmodSync(config, 0o644);
  // The agent's relay names its upstream other-forum: the top level holds.
  const other = join(base, "other-forum.json");
  writeFileSync(other, JSON.stringify({ ...forumConfig, server: { name: "other-forum" } }));
  chmodSync(other, 0o644);
  const d = startDaemon("servers", [], config);
  await d.ready;
  const c = await agent(d, join(agentDir("servers-agent"), "forum.json"));
  // Bounded: were it held instead, nobody would answer.
  const r = await Promise.race([c.callTool({ name: "run_command", arguments: { command: "echo hello" } }),
    new Promise((_, reject) => setTimeout(() => reject(new Error("run_command was not permitted")), 20000))]);
  assert.equal(r.isError, undefined, text(r));
  assert.equal(text(r), "ran: echo hello");
  await c.close();
  const o = await agent(d, join(agentDir("servers-other"), "forum.json"), { config: other });
  const call = o.callTool({ name: "run_command", arguments: { command: "echo hello" } });
  const held = await pendingHold(d);
  assert.equal(held.tool, "run_command");
  airlockRun(["deny", held.id, "--reason", "not here", "--socket", d.sock]);
  assert.equal((await call).isError, true);
  await o.close();
  await stop(d);
  const reqs = ledgerRecords(d.dir).filter((x) => x.type === "request");
  assert.deepEqual(reqs.map((x) => [x.server, x.tool, x.decision]),
                   [["acme-forum", "run_command", "permit"], ["other-forum", "run_command", "needs-approval"]]);
});

test("one user holds at most DAEMON_MAX_CONNS_PER_UID (32) connections", { skip: !isRoot && "needs root to make users" }, async () => {
  const d = startDaemon("conns");
  await d.ready;
  const open = (i) => new Promise((resolve) => {
    const s = createConnection(d.sock);
    let closed = false;
    s.on("close", () => (closed = true));
    s.on("error", () => (closed = true));
    // Whether the daemon closed it soon after accepting.
    s.on("connect", () => setTimeout(() => resolve({ s, closed: () => closed }), 150 + i));
  });
  const conns = [];
  for (let i = 0; i < 33; i++) conns.push(await open(i));
  assert.deepEqual(conns.map((c) => c.closed()),
                   [...Array(32).fill(false), true]);
  for (const c of conns) c.s.destroy();
  await stop(d);
});

// A process as another uid (none needs a passwd entry) holding n
// connections to sock; it says which the daemon closed at once, then keeps
// the others open until it is killed.
function holder(sock, uid, n) {
  const code = `
    const net = require("node:net");
    const closed = [];
    let opened = 0;
    for (let i = 0; i < ${n}; i++) {
      const s = net.createConnection(process.argv[1]);
      closed.push(false);
      s.on("close", () => (closed[i] = true));
      s.on("error", () => (closed[i] = true));
      s.on("connect", () => { if (++opened === ${n}) setTimeout(() => console.log(JSON.stringify(closed)), 300); });
    }
    setInterval(() => {}, 1000);`;
  const p = spawn("setpriv", [`--reuid=${uid}`, `--regid=${uid}`, "--clear-groups", process.execPath,
                              "-e", code, sock], { stdio: ["ignore", "pipe", "inherit"] });
  const closed = new Promise((resolve, reject) => {
    let out = "";
    p.stdout.on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve(JSON.parse(out));
    });
    p.on("exit", (c) => reject(new Error(`holder ${uid} exited with ${c}`)));
    setTimeout(() => reject(new Error(`holder ${uid}: no answer`)), 20000);
  });
  return { p, closed };
}

test("airlockd serves at most DAEMON_MAX_CONNS (256) connections at once, then one more when one goes", { skip: !isRoot && "needs root to make users" }, async () => {
  const d = startDaemon("maxconns");
  await d.ready;
  // 8 users with 32 each (DAEMON_MAX_CONNS_PER_UID): the daemon is full.
  const holders = [];
  for (let u = 0; u < 8; u++) holders.push(holder(d.sock, 61000 + u, 32));
  try {
    for (const h of holders) assert.deepEqual(await h.closed, Array(32).fill(false));
    const late = holder(d.sock, 61100, 1);
    holders.push(late);
    assert.deepEqual(await late.closed, [true]);
    // One user goes: its place is free again.
    holders[0].p.kill("SIGKILL");
    await new Promise((r) => holders[0].p.on("close", r));
    await new Promise((r) => setTimeout(r, 200));
    const next = holder(d.sock, 61101, 1);
    holders.push(next);
    assert.deepEqual(await next.closed, [false]);
  } finally {
    for (const h of holders) h.p.kill("SIGKILL");
  }
  await stop(d);
});

test("a client that stops mid-frame is dropped after DAEMON_IO_TIMEOUT (5 s)", { skip: !isRoot && "needs root to make users" }, async () => {
  const d = startDaemon("iotimeout");
  await d.ready;
  const s = createConnection(d.sock);
  await new Promise((r) => s.on("connect", r));
  const t0 = Date.now();
  // A frame's length (100 bytes follow), then two of them, then nothing.
  s.write(Buffer.from([0, 0, 0, 100, 1, 2]));
  const closedAfter = await new Promise((resolve, reject) => {
    s.on("close", () => resolve(Date.now() - t0));
    s.on("error", () => {});
    setTimeout(() => reject(new Error("still open after 15 s")), 15000);
  });
  assert.ok(closedAfter >= 4500 && closedAfter < 10000, `closed after ${closedAfter} ms`);
  // The daemon goes on serving.
  const r = spawnSync(airlock, ["pending", "--json", "--socket", d.sock], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  await stop(d);
});

after(() => {
  if (stopAll) stopAll();
});
