// The agents' own tools through airlock (docs/hooks.md): Claude Code,
// Codex CLI, Gemini CLI and Copilot CLI with `airlock hook` as their
// pre-tool hook,
// OpenClaw with airlock's plugin (integrations/openclaw), each from npm,
// offline, on the scripted model.  Embedded: a permitted command runs (the file it makes
// exists); a refused one never runs and the model receives airlock's
// reason; a write to ~/.ssh/authorized_keys is refused; a Codex patch that
// touches it is refused whole.  Through airlockd (as its own user, the
// agent as another): a held command runs only after a person approves it.
// Every step is in the ledger, which verifies.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync }
  from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { airlock, bin, here, ledger, node24, openclaw, openclawConfig, run, runAs, startModel,
         verify } from "./helpers.mjs";
import { AGENT_USER, asanEnv, daemons, isRoot } from "../mcp/daemon-helpers.mjs";

const CLAUDE_ENV = { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1", DISABLE_AUTOUPDATER: "1",
                     DISABLE_TELEMETRY: "1", DISABLE_ERROR_REPORTING: "1",
                     ENABLE_TOOL_SEARCH: "false", ANTHROPIC_API_KEY: "sk-ant-test" };

// Each agent with airlock as its hook (`hook`: the airlock options after
// `hook AGENT`), set up in home: {cmd, args, env} for one run whose tool
// call the scripted model on port makes.
const agents = {
  claude(home, port, hook) {
    mkdirSync(join(home, ".claude"), { recursive: true });
    const entry = (matcher) => [{ matcher, hooks: [{ type: "command", timeout: 200,
      command: `${airlock} hook claude-code ${hook.join(" ")}` }] }];
    writeFileSync(join(home, ".claude", "settings.json"), JSON.stringify({
      hooks: { PreToolUse: entry("Bash|Write|Edit"), PostToolUse: entry("Bash|Write|Edit") } }));
    return { cmd: bin("claude"),
             args: ["-p", "--output-format", "stream-json", "--verbose", "--model", "fake-model",
                    "--allowedTools", "Bash,Write", "--", "Run the command"],
             env: { HOME: home, ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}`, ...CLAUDE_ENV } };
  },
  codex(home, port, hook) {
    mkdirSync(join(home, ".codex"), { recursive: true });
    const entry = (event) => `[[hooks.${event}]]\n[[hooks.${event}.hooks]]\ntype = "command"\n` +
      `timeout = 200\ncommand = ${JSON.stringify(`${airlock} hook codex ${hook.join(" ")}`)}\n`;
    writeFileSync(join(home, ".codex", "config.toml"), entry("PreToolUse") + entry("PostToolUse"));
    return { cmd: bin("codex"),
             // Hooks run once trusted (Codex's /hooks); a headless run
             // trusts them for itself with the flag Codex gives for that.
             args: ["exec", "--dangerously-bypass-hook-trust", "--skip-git-repo-check",
                    "--ephemeral", "--json", "-c", "model=fake-model",
                    // Its apply_patch is offered to models its catalog
                    // knows: the fake one is there (codex-models.json).
                    "-c", `model_catalog_json=${JSON.stringify(join(here, "codex-models.json"))}`,
                    "-c", "model_provider=fake",
                    "-c", `model_providers.fake={name="fake",base_url="http://127.0.0.1:${port}/v1",env_key="FAKE_API_KEY",wire_api="responses"}`,
                    "-c", "approval_policy=never", "-c", "sandbox_mode=danger-full-access",
                    "-c", "check_for_update_on_startup=false", "-c", "analytics.enabled=false",
                    "-c", "features.plugins=false", "-c", "features.remote_plugin=false",
                    "-c", "features.apps=false", "Run the command"],
             env: { HOME: home, FAKE_API_KEY: "sk-test" } };
  },
  gemini(home, port, hook) {
    mkdirSync(join(home, ".gemini"), { recursive: true });
    const entry = [{ matcher: "run_shell_command|write_file|replace", hooks: [{ type: "command",
      timeout: 200000, command: `${airlock} hook gemini ${hook.join(" ")}` }] }];
    writeFileSync(join(home, ".gemini", "settings.json"), JSON.stringify({
      security: { auth: { selectedType: "gemini-api-key" }, folderTrust: { enabled: false } },
      hooks: { BeforeTool: entry, AfterTool: entry } }));
    return { cmd: bin("gemini"),
             args: ["-m", "fake-model", "-p", "Run the command", "--yolo", "--output-format", "json"],
             env: { HOME: home, GEMINI_API_KEY: "test", GOOGLE_GEMINI_BASE_URL: `http://127.0.0.1:${port}` } };
  },
  copilot(home, port, hook) {
    // The user's hooks (~/.copilot/hooks/*.json), as `airlock hook install
    // copilot` writes them: a prompt-mode run loads those.
    mkdirSync(join(home, ".copilot", "hooks"), { recursive: true });
    const entry = [{ type: "command", timeoutSec: 200, bash: `${airlock} hook copilot ${hook.join(" ")}` }];
    writeFileSync(join(home, ".copilot", "hooks", "airlock.json"), JSON.stringify({ version: 1, hooks: {
      preToolUse: entry, postToolUse: entry } }));
    return { cmd: bin("copilot"),
             args: ["-p", "Run the command", "--allow-all-tools"],
             env: { HOME: home, COPILOT_OFFLINE: "1",
                    COPILOT_PROVIDER_BASE_URL: `http://127.0.0.1:${port}/v1`,
                    COPILOT_PROVIDER_TYPE: "openai", COPILOT_PROVIDER_API_KEY: "sk-test",
                    COPILOT_MODEL: "fake-model" } };
  },
  openclaw(home, port, hook) {
    const cfg = openclawConfig(home, port, {
      plugins: { allow: ["airlock"], load: { paths: [join(here, "../../integrations/openclaw")] },
                 entries: { airlock: { enabled: true, config: {
                   command: airlock, args: hook, timeoutMs: 200000 } } } },
    });
    // `agent --local`: OpenClaw 2026.9.6's `agent exec` runs no plugin
    // hooks (docs/hooks.md).
    return { cmd: node24,
             args: [openclaw, "agent", "--local", "--agent", "main", "--json",
                    "--message", "Run the command"],
             env: { HOME: home, OPENCLAW_CONFIG_PATH: cfg, PATH: `${dirname(node24)}:${process.env.PATH}`,
                    ...asanEnv() } };
  },
};

const SHELL = { claude: "^Bash$", codex: "^exec_command$", gemini: "^run_shell_command$",
                copilot: "^bash$", openclaw: "^exec$" };
const TOOL = { claude: "Bash", codex: "Bash", gemini: "run_shell_command", copilot: "bash",
               openclaw: "exec" };
// Each agent's tool that writes a file, and its input (Codex writes with
// apply_patch, below).
const WRITE = {
  claude: ["Write", (path, content) => ({ file_path: path, content })],
  gemini: ["write_file", (path, content) => ({ file_path: path, content })],
  copilot: ["create", (path, content) => ({ path, file_text: content })],
  openclaw: ["write", (path, content) => ({ path, content })],
};

// The folders the tests made, removed at the end, after the daemons stop
// (an agent's home holds its unpacked program: Copilot CLI's is over
// 200 MB).
const made = [];

// One embedded run of agent in a directory of its own; the model calls
// the tool script names.  {dir, home, out, log, ledger}.
async function embedded(agent, script) {
  const dir = mkdtempSync(join(tmpdir(), `airlock-hook-${agent}-`));
  made.push(dir);
  const home = join(dir, "home");
  mkdirSync(home);
  const m = await startModel(dir, script(dir, home));
  try {
    const a = agents[agent](home, m.port, ["--dir", join(dir, "ledger")]);
    const out = run(a.cmd, a.args, a.env, dir);
    return { dir, home, out, log: readFileSync(m.log, "utf8"), ledger: join(dir, "ledger") };
  } finally {
    m.stop();
  }
}

const requests = (dir) => ledger(dir).filter((e) => e.type === "request");

for (const agent of Object.keys(agents)) {
  test(`${agent}: its shell through airlock: permitted runs, refused never does`, async () => {
    const ok = await embedded(agent, (dir) => ({ tool: SHELL[agent], cmd: `touch ${dir}/permitted.txt` }));
    assert.ok(existsSync(join(ok.dir, "permitted.txt")), `the permitted command did not run:\n${ok.out.slice(-2000)}`);
    const bad = await embedded(agent, (dir) => ({
      tool: SHELL[agent], cmd: `chmod -R 777 ${dir}/home && touch ${dir}/refused.txt` }));
    assert.ok(!existsSync(join(bad.dir, "refused.txt")), "the refused command ran");
    assert.match(bad.log, /airlock held back \w+: inspection found .*CHMOD-WIDEN/,
                 "the model was not told airlock's reason");
    for (const [r, want] of [[ok, "permit"], [bad, "needs-approval"]]) {
      assert.deepEqual(requests(r.ledger).map((e) => [e.tool, e.decision]), [[TOOL[agent], want]]);
      verify(r.ledger);
    }
    // The permitted command's outcome is on the record too (its size and
    // hash, not its content).
    assert.ok(ledger(ok.ledger).some((e) => e.type === "agent-tool-outcome" && e.tool === TOOL[agent]));
  });
}

for (const [agent, [tool, input]] of Object.entries(WRITE)) {
  test(`${agent}: a write to ~/.ssh/authorized_keys is refused`, async () => {
    const r = await embedded(agent, (dir, home) => ({
      tool: `^${tool}$`, args: input(join(home, ".ssh/authorized_keys"), "ssh-ed25519 AAAA attacker\n") }));
    assert.ok(!existsSync(join(r.home, ".ssh/authorized_keys")), "the key was written");
    assert.match(r.log, new RegExp(`airlock held back ${tool}: credentials, keys and shell start-up files`));
    assert.deepEqual(requests(r.ledger).map((e) => [e.tool, e.decision]), [[tool, "needs-approval"]]);
    verify(r.ledger);
  });
}

test("codex: a patch touching ~/.ssh/authorized_keys is refused whole", async () => {
  const r = await embedded("codex", (dir, home) => ({ tool: "^apply_patch$", input: [
    "*** Begin Patch", `*** Add File: ${dir}/notes.txt`, "+hello",
    `*** Add File: ${home}/.ssh/authorized_keys`, "+ssh-ed25519 AAAA attacker",
    "*** End Patch", ""].join("\n") }));
  assert.ok(!existsSync(join(r.dir, "notes.txt")), "the patch's harmless file was written");
  assert.ok(!existsSync(join(r.home, ".ssh/authorized_keys")), "the key was written");
  assert.match(r.log, /airlock held back apply_patch: credentials, keys and shell start-up files/);
  // One decision a file, the strictest winning.
  assert.deepEqual(requests(r.ledger).map((e) => [e.tool, e.decision, e.input.path]),
                   [["apply_patch", "permit", join(r.dir, "notes.txt")],
                    ["apply_patch", "needs-approval", join(r.home, ".ssh/authorized_keys")]]);
  verify(r.ledger);
});

// Through airlockd: airlockd as its own user, the agent as another, the
// person (root, in Group::"security") approving with `airlock approve`.
const skip = !isRoot && "needs root to make users";
let base, D;
before(() => {
  if (!isRoot) return;
  base = mkdtempSync(join(tmpdir(), "airlock-hook-held-"));
  made.push(base);
  chmodSync(base, 0o755);
  D = daemons(base);
});
after(() => {
  if (D) D.stopAll();
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

function people(d, args) {
  const r = spawnSync(airlock, [...args, "--socket", d.sock], { encoding: "utf8", env: asanEnv() });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

// airlockd started as its own user, with policies from tests/data/hooks
// when named (copied where its user can read them).
async function daemonWith(name, policies) {
  const extra = [];
  if (policies) {
    const pol = join(base, policies);
    writeFileSync(pol, readFileSync(join(here, "../data/hooks", policies)));
    chmodSync(pol, 0o644);
    extra.push("--policies", pol);
  }
  const d = D.start(name, extra);
  await d.ready;
  return d;
}

// One Claude Code PreToolUse event through `airlock hook claude-code
// --daemon`, run as the agent's user; --wait 0 answers a held call at once.
function hookAs(d, cwd, session, tool_name, tool_input) {
  return spawnSync("runuser", ["-u", AGENT_USER, "--", airlock, "hook", "claude-code",
                               "--daemon", d.sock, "--wait", "0"],
    { input: JSON.stringify({ session_id: session, cwd, hook_event_name: "PreToolUse", tool_name,
                              tool_input }), encoding: "utf8", env: asanEnv() });
}

for (const agent of Object.keys(agents)) {
  test(`${agent}: a held command runs only after a person approves it in airlockd`, { skip }, async () => {
    const d = await daemonWith(`${agent}-daemon`);
    const dir = D.agentDir(`${agent}-agent`), home = D.agentDir(`${agent}-agent/home`);
    D.agentDir(`${agent}-agent/shared`);
    const done = join(dir, "held.txt");
    const m = await startModel(base, { tool: SHELL[agent],
                                       cmd: `chmod -R 777 ${dir}/shared && touch ${done}` });
    try {
      const a = agents[agent](home, m.port, ["--daemon", d.sock, "--wait", "180"]);
      spawnSync("chown", ["-R", `${AGENT_USER}:`, home]);
      const running = runAs(AGENT_USER, a.cmd, a.args, a.env, dir);
      let held = [];
      for (let i = 0; i < 1200 && !held.length; i++) {
        held = JSON.parse(people(d, ["pending", "--json"])).holds;
        if (!held.length) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(held.length, 1, "the command was never held");
      assert.equal(held[0].tool, TOOL[agent]);
      assert.ok(!existsSync(done), "the held command ran before anyone approved it");
      assert.match(people(d, ["approve", held[0].id, "--reason", "checked"]), /^approved /);
      await running.done;
      assert.ok(existsSync(done), "the approved command did not run");
    } finally {
      m.stop();
    }
    const entries = ledger(d.dir);
    const req = entries.filter((e) => e.type === "request");
    assert.deepEqual(req.map((e) => [e.tool, e.decision]), [[TOOL[agent], "needs-approval"]]);
    assert.ok(entries.some((e) => e.type === "approval"), "the approval is not on the record");
    await D.stop(d);
    verify(d.dir);
  });
}

// Shadow mode (docs/hooks.md): switched by a person in Group::"security"
// only, recorded; while on, a call that would be held is decided,
// recorded as decided, and let through; off again, it is held.
test("airlockd's shadow mode lets hook calls through, recorded as decided", { skip }, async () => {
  const d = await daemonWith("shadow-daemon");
  const dir = D.agentDir("shadow-agent");
  const hook = () => hookAs(d, dir, "s1", "Bash", { command: `chmod -R 777 ${dir}` });
  // Enforced: held (and, with --wait 0, answered as still held).
  let r = hook();
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /"permissionDecision":"deny".*still held/);
  const asAgent = spawnSync("runuser", ["-u", AGENT_USER, "--", airlock, "shadow", "on",
                                        "--socket", d.sock], { encoding: "utf8", env: asanEnv() });
  assert.notEqual(asAgent.status, 0);
  assert.match(asAgent.stderr, /refused: a user that runs agents cannot take part/);
  assert.match(people(d, ["shadow", "on", "--reason", "rolling out"]), /^shadow mode is ON: switched on by root/);
  r = hook();
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "", "shadow mode did not let the call through");
  assert.equal(JSON.parse(people(d, ["pending", "--json"])).holds.length, 1, "shadow mode held a call");
  assert.match(people(d, ["shadow", "off"]), /^shadow mode is off: switched off by root/);
  r = hook();
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /"permissionDecision":"deny".*still held/);
  const entries = ledger(d.dir);
  assert.deepEqual(entries.filter((e) => e.type === "shadow").map((e) => [e.on, e.by]),
                   [[true, "root"], [false, "root"]]);
  assert.ok(entries.some((e) => e.type === "refused" && e.command === "shadow"),
            "the agent's user's switch is not on the record");
  const req = entries.filter((e) => e.type === "request");
  assert.deepEqual(req.map((e) => [e.decision, e.shadow ?? false]),
                   [["needs-approval", false], ["needs-approval", true], ["needs-approval", false]]);
  await D.stop(d);
  verify(d.dir);
});

// A call every stopping policy marks @confirm("user") is the agent's own
// user's to confirm: airlockd does not hold it, the hook asks.
test("airlockd leaves a @confirm(\"user\") call to the agent's own user", { skip }, async () => {
  const d = await daemonWith("confirm-daemon", "confirm.cedar");
  const dir = D.agentDir("confirm-agent");
  const hook = (command) => hookAs(d, dir, "s1", "Bash", { command });
  let r = hook("kubectl apply -f deploy.yaml");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /"permissionDecision":"ask".*deploy-confirm/);
  assert.deepEqual(JSON.parse(people(d, ["pending", "--json"])).holds, []);
  r = hook(`kubectl apply -f deploy.yaml && chmod -R 777 ${dir}`);
  assert.match(r.stdout, /"permissionDecision":"deny".*still held/);
  assert.equal(JSON.parse(people(d, ["pending", "--json"])).holds.length, 1);
  await D.stop(d);
  verify(d.dir);
});

// The Rule of Two across an agent's calls through airlockd: each hook is a
// connection of its own, and what the agent's session did before (a page
// fetched, a credential read) counts when it runs a command.
test("airlockd keeps an agent session's effects across its hook calls", { skip }, async () => {
  const d = await daemonWith("two-daemon", "two.cedar");
  const dir = D.agentDir("two-agent");
  const hook = (session, tool_name, tool_input) => hookAs(d, dir, session, tool_name, tool_input);
  for (const [tool, input] of [["WebFetch", { url: "https://forum.example/q/1", prompt: "read" }],
                               ["Read", { file_path: "/home/dev/.aws/credentials" }]]) {
    const r = hook("s-1", tool, input);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "", `${tool} was not permitted`);
  }
  let r = hook("s-1", "Bash", { command: "make test" });
  assert.match(r.stdout, /"permissionDecision":"deny".*still held/);
  r = hook("s-2", "Bash", { command: "make test" });
  assert.equal(r.stdout, "", "another session was held");
  const req = ledger(d.dir).filter((e) => e.type === "request");
  assert.deepEqual(req.map((e) => [e.tool, e.decision]),
                   [["WebFetch", "permit"], ["Read", "permit"], ["Bash", "needs-approval"],
                    ["Bash", "permit"]]);
  await D.stop(d);
  verify(d.dir);
});
