// The gateway's limits on what is in flight, crossed: MCP_MAX_INFLIGHT
// requests towards the upstream, MCP_MAX_DEFERRED calls waiting for the
// tool list.  The upstream is a server that stops answering.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RawSession, here, tempDir } from "./helpers.mjs";

const MCP_MAX_INFLIGHT = 4096;
const MCP_MAX_DEFERRED = 256;
const MCP_MAX_LIST_PAGES = 64;

function stalled(t, mode) {
  const dir = tempDir("limits");
  const pol = join(dir, "p.cedar"), cfg = join(dir, "c.json");
  writeFileSync(pol, "permit (principal, action, resource);\n");
  writeFileSync(cfg, JSON.stringify({ env: ["PATH", "STALL", "STALL_LOG"] }));
  const s = new RawSession(["mcp", "--dir", dir, "--policies", pol, "--config", cfg, "--",
                            process.execPath, join(here, "stall-server.mjs")],
                           { env: { STALL: mode, STALL_LOG: join(dir, "received") } });
  s.received = () => (existsSync(join(dir, "received")) ? readFileSync(join(dir, "received"), "utf8") : "");
  t.after(() => s.proc.kill());
  return s;
}

test(`${MCP_MAX_INFLIGHT} requests in flight, and one more is refused`, async (t) => {
  const s = stalled(t, "all");
  await s.initialize();
  let lines = "";
  for (let i = 0; i <= MCP_MAX_INFLIGHT; i++)
    lines += JSON.stringify({ jsonrpc: "2.0", id: i, method: "ping" }) + "\n";
  s.proc.stdin.write(lines);
  const r = await s.waitFor((m) => m.error, "an error");
  assert.equal(r.error.code, -32006);
  assert.equal(r.id, MCP_MAX_INFLIGHT);
  assert.match(r.error.message, /too many requests in flight/);
  await s.close();
});

test(`${MCP_MAX_DEFERRED} calls wait for the tool list, and one more is refused`, async (t) => {
  const s = stalled(t, "list");
  await s.initialize();
  let lines = "";
  for (let i = 0; i <= MCP_MAX_DEFERRED; i++)
    lines += JSON.stringify({ jsonrpc: "2.0", id: i, method: "tools/call",
                              params: { name: "wait", arguments: {} } }) + "\n";
  s.proc.stdin.write(lines);
  const r = await s.waitFor((m) => m.error, "an error");
  assert.equal(r.error.code, -32006);
  assert.equal(r.id, MCP_MAX_DEFERRED);
  assert.match(r.error.message, /waiting for the tool list/);
  await s.close();
});

test(`a tool list of more than ${MCP_MAX_LIST_PAGES} pages ends the session`, async (t) => {
  const s = stalled(t, "pages");
  await s.initialize();
  const { code } = await s.exited;
  assert.equal(code, 1);
  assert.match(s.stderr, /the upstream's tool list has too many pages/);
  assert.equal(s.received().split("\n").filter((l) => l === "tools/list").length, MCP_MAX_LIST_PAGES + 1);
});

test("a decided method sent as a notification never reaches the server", async (t) => {
  const s = stalled(t, "all");
  await s.initialize();
  s.send({ jsonrpc: "2.0", method: "tools/call", params: { name: "wait", arguments: {} } });
  s.send({ jsonrpc: "2.0", id: "p", method: "ping" });
  // Messages reach the server in order: once the ping is there, so is what came before.
  for (let i = 0; i < 100 && !/ping/.test(s.received()); i++) await new Promise((r) => setTimeout(r, 50));
  assert.match(s.received(), /ping/);
  assert.doesNotMatch(s.received(), /tools\/call/);
  assert.match(s.stderr, /dropped a tools\/call sent as a notification/);
  await s.close();
});
