// airlock's OpenClaw plugin: each call of the tools it is given (exec,
// write, edit, apply_patch, read, ls, web_fetch by default) is sent to
// `airlock hook openclaw` before it runs, which decides it with airlock's
// policies, inspection and approvals and records it in the ledger; the
// answer is OpenClaw's own before_tool_call result ({block, blockReason}).
// After the call, its outcome is recorded the same way.  Anything that goes
// wrong (airlock missing, an unreadable answer, a timeout) blocks the call:
// the handler throws, and OpenClaw fails before_tool_call closed.
//
// A call airlock holds for a person is waited for (`--wait`, within
// timeoutMs): a person approves it with `airlock approve` through airlockd.
// The plugin never asks OpenClaw's own approval surface to decide it: the
// one who answers there runs the agent, and airlock never lets the agent's
// user approve the agent's actions.  Its blockReason names the held call
// and how to approve it, which is what OpenClaw shows.  Only a call every
// stopping policy marks @confirm("user") goes to OpenClaw's own approval
// (requireApproval): there, the user's own confirmation is enough.
import { spawn } from "node:child_process";

const DEFAULT_TOOLS = ["exec", "write", "edit", "apply_patch", "read", "ls", "web_fetch"];
const DEFAULT_TIMEOUT_MS = 15000;
const MAX_ANSWER = 1 << 20;

function hook(command, args, event, signal) {
  return new Promise((resolve, reject) => {
    const p = spawn(command, ["hook", "openclaw", ...args],
                    { stdio: ["pipe", "pipe", "pipe"], signal });
    let out = "", err = "";
    p.stdout.on("data", (d) => {
      out += d;
      if (out.length > MAX_ANSWER) p.kill("SIGKILL");
    });
    p.stderr.on("data", (d) => (err = (err + d).slice(-4096)));
    p.on("error", (e) => reject(new Error(`airlock could not be run (${command}): ${e.message}`)));
    p.on("close", (code, sig) => {
      if (code === 0) return resolve(out);
      reject(new Error(`airlock refused to decide: ${err.trim() || `exit ${code ?? sig}`}`));
    });
    p.stdin.on("error", () => {}); // a hook that exits early: its status says why
    p.stdin.end(JSON.stringify(event));
  });
}

function eventOf(name, event, ctx, extra = {}) {
  return {
    hook_event_name: name,
    tool_name: event.toolName,
    tool_input: event.params ?? {},
    cwd: ctx?.workspaceDir || process.cwd(),
    session_id: ctx?.sessionId ?? ctx?.sessionKey ?? "",
    ...extra,
  };
}

export default {
  id: "airlock",
  name: "airlock",
  description: "Every exec, file and web tool call decided by airlock before it runs.",
  register(api) {
    const cfg = api.pluginConfig ?? {};
    const command = cfg.command ?? "airlock";
    const args = cfg.args ?? [];
    const tools = cfg.tools ?? DEFAULT_TOOLS;
    const timeoutMs = cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // A held call is waited for until shortly before OpenClaw gives up on
    // the handler, so that the answer, not OpenClaw's timeout, says why.
    const preArgs = args.includes("--wait")
      ? args : [...args, "--wait", String(Math.max(0, Math.floor(timeoutMs / 1000) - 3))];

    api.on("before_tool_call", async (event, ctx) => {
      const out = await hook(command, preArgs, eventOf("before_tool_call", event, ctx), ctx?.abortSignal);
      const answer = out.trim() ? JSON.parse(out) : {};
      if (answer.block === true)
        return { block: true, blockReason: String(answer.blockReason || "airlock refused this call") };
      // A policy said the user's own confirmation is enough
      // (@confirm("user")): OpenClaw's own approval asks them.
      if (answer.requireApproval && typeof answer.requireApproval.description === "string")
        return { requireApproval: { title: String(answer.requireApproval.title),
                                    description: answer.requireApproval.description,
                                    severity: "warning", allowedDecisions: ["allow-once", "deny"] } };
      if (Object.keys(answer).length !== 0)
        throw new Error(`airlock's answer is not one OpenClaw reads: ${out.slice(0, 200)}`);
      return undefined; // permitted: OpenClaw's own policy goes on
    }, { matcher: tools, priority: 1000, timeoutMs });

    api.on("after_tool_call", async (event, ctx) => {
      const response = event.error !== undefined ? { error: String(event.error) } : { result: event.result };
      try {
        await hook(command, args, eventOf("after_tool_call", event, ctx, { tool_response: response }));
      } catch (e) {
        api.logger?.warn?.(`airlock: the outcome of ${event.toolName} was not recorded: ${e.message}`);
      }
    }, { matcher: tools });
  },
};
