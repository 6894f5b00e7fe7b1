// Shared by the gateway's tests: where things are, and how to start an
// SDK client through `airlock mcp` or directly against a server.
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequire } from "node:module";

export const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, "../..");
export const airlock = process.env.AIRLOCK_BIN ?? join(root, "build/asan/airlock");
const require = createRequire(join(root, "tests/peers/package.json"));
export const everything = join(
  dirname(require.resolve("@modelcontextprotocol/server-everything/package.json")),
  "dist/index.js",
);

export function tempDir(name) {
  return mkdtempSync(join(tmpdir(), `airlock-${name}-`));
}

// The environment the SDK passes to the process it starts: what ASan and
// node need, and nothing else.
function env(extra = {}) {
  const e = { PATH: process.env.PATH, HOME: process.env.HOME ?? "/tmp" };
  for (const k of ["ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"])
    if (process.env[k]) e[k] = process.env[k];
  return { ...e, ...extra };
}

export async function connect({ through, dir, args = [], name = "sdk-test", capabilities,
                                handlers = [], server = [everything] }) {
  const command = through ? airlock : process.execPath;
  const argv = through
    ? ["mcp", "--dir", dir, ...args, "--", process.execPath, ...server]
    : server;
  const transport = new StdioClientTransport({ command, args: argv, env: env(), stderr: "pipe" });
  let stderr = "";
  transport.stderr?.on("data", (d) => (stderr += d));
  const client = new Client({ name, version: "1.0.0" }, {
    capabilities: capabilities ?? { sampling: {}, elicitation: { form: {} }, roots: {} },
  });
  for (const [schema, fn] of handlers) client.setRequestHandler(schema, fn);
  await client.connect(transport);
  return { client, transport, stderr: () => stderr };
}

export function airlockRun(args, opts = {}) {
  return execFileSync(airlock, args, { encoding: "utf8", ...opts });
}

export function ledgerRecords(dir) {
  const out = airlockRun(["log", "show", "--dir", dir, "--json"]);
  return out.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l))
    .map((r) => ({ index: r.index, ...JSON.parse(Buffer.from(r.entry, "base64").toString()) }));
}

export { pathToFileURL };

// A raw JSON-RPC session with `airlock mcp`: write lines, wait for lines.
import { spawn } from "node:child_process";
import { after } from "node:test";

// A failed test must not leave sessions holding the test run open.
const sessions = new Set();
after(() => { for (const p of sessions) p.kill("SIGKILL"); });

export class RawSession {
  constructor(args, { env: extra = {} } = {}) {
    this.proc = spawn(airlock, args, { env: env(extra), stdio: ["pipe", "pipe", "pipe"] });
    this.lines = [];
    this.stderr = "";
    this.waiters = [];
    let buf = "";
    this.proc.stdout.on("data", (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        this.lines.push(JSON.parse(line));
        this.wake();
      }
    });
    this.proc.stderr.on("data", (d) => { this.stderr += d; this.wake(); });
    this.exited = new Promise((res) => this.proc.on("exit", (code, sig) => { this.wake(); res({ code, sig }); }));
    sessions.add(this.proc);
    this.proc.on("exit", () => sessions.delete(this.proc));
  }
  wake() { for (const w of this.waiters.splice(0)) w(); }
  send(obj) { this.proc.stdin.write((typeof obj === "string" ? obj : JSON.stringify(obj)) + "\n"); }
  async waitFor(pred, what = "a message", ms = 10000) {
    const t0 = Date.now();
    for (;;) {
      const i = this.lines.findIndex(pred);
      if (i >= 0) return this.lines.splice(i, 1)[0];
      if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}; stderr: ${this.stderr}`);
      await new Promise((r) => { this.waiters.push(r); setTimeout(r, 100); });
    }
  }
  reply(id) { return this.waitFor((m) => m.id === id && !m.method, `the reply to ${JSON.stringify(id)}`); }
  async initialize(name = "raw-test", version = "2025-11-25") {
    this.send({ jsonrpc: "2.0", id: "init", method: "initialize",
                params: { protocolVersion: version, capabilities: {}, clientInfo: { name, version: "1" } } });
    const r = await this.reply("init");
    this.send({ jsonrpc: "2.0", method: "notifications/initialized" });
    return r;
  }
  close() { this.proc.stdin.end(); return this.exited; }
}

// A session that is never idle: read_question every 5 ms for 3.5 s; then
// signed() (the size the ledger's checkpoint covers now, read while the
// session is still open) must cover every record written by 1.5 s (two a
// call): GATE_CHECKPOINT_MAX_MS is a second.
export async function busyThenSigned(client, signed) {
  const t0 = Date.now();
  let calls = 0, early = -1;
  while (Date.now() - t0 < 3500) {
    await client.callTool({ name: "read_question", arguments: { id: 1 } });
    calls++;
    if (early < 0 && Date.now() - t0 >= 1500) early = calls;
    await new Promise((r) => setTimeout(r, 5));
  }
  const n = signed();
  assert.ok(n >= 2 * early, `the checkpoint covers ${n} entries; ${early} calls were made by 1.5 s`);
}
