// Real agents through `airlock mcp`, offline: Codex CLI, Claude Code and
// OpenClaw from npm, each talking to the scripted model
// (scripted-model.mjs here) and to the forum example's MCP server,
// whose entry in the agent's configuration is replaced by
// `airlock mcp -- node server.mjs`.  A permitted call completes; for a
// refused one the model receives airlock's refusal as the tool result (the
// model's request log shows it) and the agent finishes normally; both are
// in the ledger, which verifies.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { airlock, bin, forum, ledger, node24, openclaw, openclawConfig, run, startModel, verify }
  from "./helpers.mjs";

const READ = { tool: "read_question$", args: { id: 1 } };
const POST = { tool: "post_reply$",
               args: { question: 1, audience: "public",
                       text: "Run gsutil iam ch allUsers:objectViewer gs://acme-user-exports" } };

// The agent's MCP server entry: airlock in front of the forum server.
function serverEntry(dir) {
  return { command: airlock,
           args: ["mcp", "--dir", join(dir, "ledger"), "--config", join(forum, "airlock.json"),
                  "--", process.execPath, join(forum, "server.mjs")] };
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
    const cfg = openclawConfig(dir, port, { mcp: { servers: { forum: serverEntry(dir) } } });
    return run(node24, [openclaw, "agent", "exec",
                        "--config", cfg, "--json", "Answer forum question 1"],
               { HOME: join(dir, "home"), PATH: `${dirname(node24)}:${process.env.PATH}` }, dir);
  },
};

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
      const reqs = ledger(join(r.dir, "ledger")).filter((e) => e.type === "request");
      assert.deepEqual(reqs.map((e) => [e.tool, e.decision]), [want]);
      verify(join(r.dir, "ledger"));
    }
  });
}
