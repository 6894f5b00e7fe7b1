// Running airlockd as a user of its own, and agents as another, for the
// trust-boundary and approval tests.  The users are made here (useradd),
// so the tests that use this need root, as CI has.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chownSync, chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { airlock, root } from "./helpers.mjs";

export const forum = join(root, "examples/forum");
export const DAEMON_USER = "airlock-test";
export const AGENT_USER = "airlock-agent";
export const isRoot = process.getuid() === 0;

export function ensureUser(name) {
  if (spawnSync("id", [name]).status !== 0)
    assert.equal(spawnSync("useradd", ["--system", "--no-create-home", "--shell",
                                       "/usr/sbin/nologin", name]).status, 0);
  return Number(spawnSync("id", ["-u", name], { encoding: "utf8" }).stdout.trim());
}

export function asanEnv(extra = {}) {
  const e = { PATH: process.env.PATH };
  for (const k of ["ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"])
    if (process.env[k]) e[k] = process.env[k];
  return { ...e, ...extra };
}

export const text = (r) => r.content.map((c) => c.text).join("\n");

// Daemons under base (a directory any user may enter), each started as
// DAEMON_USER (runuser: no privilege to drop, so the sanitizers see its
// whole life) on a data directory it owns.  Unless a test names its own
// --entities, root (the tests' person) is in Group::"security": approving
// and reading the ledger are roles (policies/admin.cedar).
export function daemons(base) {
  const daemonUid = ensureUser(DAEMON_USER);
  const agentUid = ensureUser(AGENT_USER);
  const started = [];
  const people = join(base, "people.json");
  writeFileSync(people, JSON.stringify([{ uid: { type: "User", id: "root" }, attrs: {},
                                          parents: [{ type: "Group", id: "security" }] }]));
  chmodSync(people, 0o644);
  function start(name, extra = [], config = join(forum, "airlock.json")) {
    if (!extra.includes("--entities")) extra = [...extra, "--entities", people];
    const home = join(base, name);
    mkdirSync(home, { recursive: true });
    chownSync(home, daemonUid, 0);
    chmodSync(home, 0o755);
    const sock = join(home, "airlockd.sock"), dir = join(home, "data");
    started.push(sock);
    const p = spawn("runuser", ["-u", DAEMON_USER, "--", airlock, "daemon", "--socket", sock,
                                "--dir", dir, "--config", config, ...extra],
                    { env: asanEnv(), stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (d) => (err += d));
    const ready = new Promise((resolve, reject) => {
      const t = setInterval(() => {
        if (err.includes("listening on")) { clearInterval(t); resolve(); }
        if (p.exitCode !== null) { clearInterval(t); reject(new Error(`airlockd exited: ${err}`)); }
      }, 20);
    });
    return { p, sock, dir, home, ready, stderr: () => err };
  }
  async function stop(d, signal = "SIGTERM") {
    if (d.p.exitCode !== null) return d.p.exitCode;
    const done = new Promise((r) => d.p.on("exit", (code, sig) => r(code ?? sig)));
    // runuser passes TERM on; KILL must reach the daemon itself.
    if (signal === "SIGKILL") {
      spawnSync("pkill", ["-KILL", "-u", DAEMON_USER, "-f", `daemon --socket ${d.sock}`]);
      return done;
    }
    // To the daemon itself (runuser's child), so that runuser exits with
    // its status: stopped, it exits 0, and a sanitizer's report (a leak,
    // an error) fails the test.
    spawnSync("pkill", [`-${signal.replace(/^SIG/, "")}`, "-P", String(d.p.pid)]);
    const code = await done;
    assert.equal(code, 0, `airlockd exited with ${code}: ${d.stderr()}`);
    return code;
  }
  // An SDK client whose `airlock mcp --daemon` runs as user (AGENT_USER).
  async function agent(d, state, { user = AGENT_USER, config = join(forum, "airlock.json"),
                                   name = "forum-helper" } = {}) {
    const transport = new StdioClientTransport({
      command: "runuser",
      args: ["-u", user, "--", airlock, "mcp", "--daemon", d.sock, "--config", config, "--",
             process.execPath, join(forum, "server.mjs")],
      env: asanEnv({ FORUM_STATE: state }), stderr: "pipe",
    });
    const client = new Client({ name, version: "1" });
    await client.connect(transport);
    return client;
  }
  // A directory the agent's user owns (the forum's state goes there).
  function agentDir(name) {
    const d = join(base, name);
    mkdirSync(d, { recursive: true });
    chownSync(d, agentUid, 0);
    return d;
  }
  function stopAll() {
    // Only these daemons: another run may be using the same users.
    for (const sock of started) {
      spawnSync("pkill", ["-u", DAEMON_USER, "-f", `daemon --socket ${sock}`]);
      // Sessions a failed test left open would keep the test file running.
      spawnSync("pkill", ["-f", `mcp --daemon ${sock}`]);
    }
  }
  return { daemonUid, agentUid, start, stop, agent, agentDir, stopAll };
}
