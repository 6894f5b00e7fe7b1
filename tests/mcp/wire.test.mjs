// `airlock mcp` on the wire: what a client sends that is not well formed,
// ids, protocol versions, upstreams that fail or die, the environment, and
// refusing to start when something it needs is wrong.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RawSession, airlock, everything, here, tempDir, ledgerRecords } from "./helpers.mjs";

const config = join(here, "everything.json");
const policies = join(here, "everything.cedar");
function session(extra = [], opts) {
  const dir = tempDir("wire");
  const s = new RawSession(["mcp", "--dir", dir, "--config", config, "--policies", policies,
                            "--agent", "sdk-test", ...extra, "--", process.execPath, everything], opts);
  s.dir = dir;
  return s;
}

test("malformed input gets JSON-RPC errors and the session goes on", async () => {
  const s = session(["--max-line", "1024"]);
  await s.initialize();
  s.send("this is not json");
  assert.equal((await s.waitFor((m) => m.error?.code === -32700)).id, null);
  s.send('{"jsonrpc":"2.0","id":5,"id":6,"method":"ping"}');
  assert.match((await s.waitFor((m) => m.error?.code === -32700)).error.message, /duplicate/);
  s.send({ id: 7, method: "ping" });
  assert.equal((await s.waitFor((m) => m.error?.code === -32600)).id, 7);
  s.send([{ jsonrpc: "2.0", id: 8, method: "ping" }]);
  assert.match((await s.waitFor((m) => m.error?.code === -32600)).error.message, /batch/);
  s.send({ jsonrpc: "2.0", id: 9, method: "ping", params: { pad: "x".repeat(2000) } });
  assert.match((await s.waitFor((m) => m.error?.code === -32005)).error.message, /longer than 1024/);
  s.send({ jsonrpc: "2.0", id: 10, method: "ping" });
  assert.deepEqual((await s.reply(10)).result, {});
  assert.deepEqual(await s.close(), { code: 0, sig: null });
});

test("ids come back as the client wrote them, whatever airlock used upstream", async () => {
  const s = session();
  await s.initialize();
  for (const id of ["a", 0, -3, 9007199254740991, "\u00e9\u0000x"]) {
    s.send({ jsonrpc: "2.0", id, method: "ping" });
    assert.deepEqual((await s.reply(id)).result, {});
  }
  // The same id twice in flight is the client's business; each gets a reply.
  s.send({ jsonrpc: "2.0", id: "dup", method: "tools/call", params: { name: "echo", arguments: { message: "1" } } });
  s.send({ jsonrpc: "2.0", id: "dup", method: "tools/call", params: { name: "echo", arguments: { message: "2" } } });
  const texts = [(await s.reply("dup")).result.content[0].text, (await s.reply("dup")).result.content[0].text];
  assert.deepEqual(texts.sort(), ["Echo: 1", "Echo: 2"]);
  await s.close();
});

test("protocol versions: the three MCP versions relay, others are asked down", async () => {
  for (const v of ["2025-11-25", "2025-06-18", "2025-03-26"]) {
    const s = session();
    const r = await s.initialize("v", v);
    assert.equal(r.result.protocolVersion, v);
    await s.close();
  }
  const s = session();
  const r = await s.initialize("v", "2099-01-01");
  assert.equal(r.result.protocolVersion, "2025-11-25");
  await s.close();
});

test("an unknown tool, and calls before the tool list is known, are decided", async () => {
  const s = session();
  await s.initialize();
  // Sent at once after initialized: airlock holds it until it knows the tools.
  s.send({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { message: "early" } } });
  s.send({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "no-such-tool", arguments: {} } });
  assert.equal((await s.reply(1)).result.content[0].text, "Echo: early");
  const r = await s.reply(2);
  assert.equal(r.result.isError, true);
  assert.match(r.result.content[0].text, /did not list a tool "no-such-tool"/);
  s.send({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { arguments: {} } });
  assert.equal((await s.reply(3)).error.code, -32602);
  await s.close();
});

test("an upstream that cannot start: a clear message and a non-zero exit", () => {
  const r = spawnSync(airlock, ["mcp", "--dir", tempDir("nostart"), "--", "/nonexistent/server"],
                      { input: "", encoding: "utf8" });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cannot start '\/nonexistent\/server': No such file or directory/);
});

test("an upstream that dies: every pending request gets an error, exit non-zero", async () => {
  const s = session();
  await s.initialize();
  s.send({ jsonrpc: "2.0", id: "long", method: "tools/call",
           params: { name: "trigger-long-running-operation", arguments: { duration: 30, steps: 30 },
                     _meta: { progressToken: "p" } } });
  await s.waitFor((m) => m.method === "notifications/progress", "progress");
  const kids = spawnSync("pgrep", ["-P", String(s.proc.pid)], { encoding: "utf8" }).stdout.trim();
  assert.ok(kids, "the upstream runs as airlock's child");
  process.kill(Number(kids.split("\n")[0]), "SIGKILL");
  const r = await s.reply("long");
  assert.equal(r.error.code, -32004);
  assert.match(r.error.message, /killed by signal 9/);
  const { code } = await s.exited;
  assert.equal(code, 1);
  assert.match(s.stderr, /the upstream MCP server was killed by signal 9/);
  const outcomes = ledgerRecords(s.dir).filter((e) => e.type === "outcome");
  assert.ok(outcomes.some((o) => o.result === "upstream-gone"));
});

test("the upstream's environment is only what the configuration names", async () => {
  const dir = tempDir("env");
  const cfg = join(dir, "config.json");
  writeFileSync(cfg, JSON.stringify({ server: { name: "everything", trusted: true },
                                      env: ["PATH", "KEEP_ME", "SET_HERE=configured"] }));
  const pol = join(dir, "p.cedar");
  writeFileSync(pol, "permit (principal, action, resource);\n");
  const s = new RawSession(["mcp", "--dir", dir, "--config", cfg, "--policies", pol, "--",
                            process.execPath, everything],
                           { env: { KEEP_ME: "kept", SECRET_TOKEN: "must-not-leak" } });
  await s.initialize();
  s.send({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "get-env", arguments: {} } });
  const env = JSON.parse((await s.reply(1)).result.content[0].text);
  assert.equal(env.KEEP_ME, "kept");
  assert.equal(env.SET_HERE, "configured");
  assert.equal(env.SECRET_TOKEN, undefined);
  assert.equal(env.HOME, undefined);
  await s.close();
});

test("fail closed: bad policies, configuration or ledger stop it before the upstream runs", () => {
  const dir = tempDir("closed");
  const bad = join(dir, "bad.cedar");
  writeFileSync(bad, "permit (principal, action, resource) when { context.x == };\n");
  const marker = join(dir, "started");
  const upstream = ["--", "/bin/sh", "-c", `touch ${marker}`];
  const cases = [
    [["--policies", bad], /bad\.cedar:1:\d+:/],
    [["--policies", join(dir, "missing.cedar")], /missing\.cedar: No such file/],
    [["--config", bad], /bad\.cedar:1:\d+: /],
    [["--dir", "/proc/forbidden"], /\/proc\/forbidden/],
    [["--max-line", "12"], /--max-line takes/],
  ];
  for (const [args, want] of cases) {
    const r = spawnSync(airlock, ["mcp", "--dir", join(dir, "ledger"), ...args, ...upstream],
                        { input: "", encoding: "utf8" });
    assert.notEqual(r.status, 0, args.join(" "));
    assert.match(r.stderr, want);
    assert.equal(r.stderr.trim().split("\n").filter((l) => !/created the ledger|verifier key|^airlock: [A-Za-z0-9.\/-]+\+/.test(l)).length, 1, r.stderr);
  }
  const r = spawnSync(airlock, ["mcp", "--dir", join(dir, "ledger"), "--policies", bad],
                      { input: "", encoding: "utf8" });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /give the upstream server's command after --/);
  assert.ok(!existsSync(marker), "the upstream never started");
});
