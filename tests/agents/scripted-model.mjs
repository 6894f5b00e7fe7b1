#!/usr/bin/env node
// Scripted "model" server for offline agent end-to-end tests.
// A copy of ../shared/tools/scripted-model/scripted-model.mjs extended for
// Responses-API custom (freeform) tools, which Codex's apply_patch is
// (such a tool gets FAKE_INPUT as its raw input), and for Google's Gemini
// API, which Gemini CLI speaks (GOOGLE_GEMINI_BASE_URL):
//   POST .../models/<m>:generateContent, :streamGenerateContent, :countTokens
// Speaks three wire protocols on one port (chosen by request path):
//   POST .../chat/completions   OpenAI Chat Completions (stream or not)
//   POST .../responses          OpenAI Responses API    (stream or not)
//   POST .../messages           Anthropic Messages API  (stream or not)
//   POST .../messages/count_tokens, GET .../models      helpers
// Script (per request, stateless):
//   * request carries no tools                    -> plain text "ok" (aux calls: titles, quota probes ...)
//   * current turn (items after the last text-only assistant message) holds a tool result
//                                                 -> final text "FAKE-MODEL-DONE: <tool output>"
//   * otherwise                                   -> call the first tool whose name matches FAKE_TOOL
// Env: PORT (default 18080), HOST (127.0.0.1), FAKE_LOG (requests.jsonl),
//      FAKE_TOOL   regex for the tool name (default "echo$")
//      FAKE_ARGS   JSON arguments (default {"message":"hello"}); if the tool looks like a
//                  shell tool and FAKE_CMD is set, args are derived from its schema instead.
//      FAKE_CMD    shell command for shell-style tools (e.g. "echo hi")
//      FAKE_INPUT  raw input for a custom (freeform) tool, e.g. a patch
import http from "node:http";
import fs from "node:fs";

const PORT = Number(process.env.PORT || 18080);
const HOST = process.env.HOST || "127.0.0.1";
const LOG = process.env.FAKE_LOG || "requests.jsonl";
const TOOL_RE = new RegExp(process.env.FAKE_TOOL || "echo$");
const FAKE_CMD = process.env.FAKE_CMD || "";
const FAKE_INPUT = process.env.FAKE_INPUT || "";
const FAKE_ARGS = process.env.FAKE_ARGS ? JSON.parse(process.env.FAKE_ARGS) : { message: "hello" };
let seq = 0;
const nid = (p) => `${p}_${Date.now().toString(36)}${(++seq).toString(36)}`;

function log(entry) {
  fs.appendFileSync(LOG, JSON.stringify({ t: new Date().toISOString(), ...entry }) + "\n");
}

// ---------- protocol-neutral decision ----------
function textOf(x) {
  if (x == null) return "";
  if (typeof x === "string") return x;
  if (Array.isArray(x)) return x.map(textOf).join("");
  if (typeof x === "object") {
    if (typeof x.text === "string") return x.text;
    if (x.output !== undefined) return textOf(x.output);
    if (x.content !== undefined) return textOf(x.content);
  }
  return JSON.stringify(x);
}

function toolArgs(tool) {
  if (tool.custom) return FAKE_INPUT;
  const props = (tool.schema && tool.schema.properties) || {};
  if (FAKE_CMD) {
    if (props.command && props.command.type === "array") return { command: ["bash", "-lc", FAKE_CMD] };
    if (props.cmd) return { cmd: FAKE_CMD };
    if (props.command) return { command: FAKE_CMD, ...(props.description ? { description: "run command" } : {}) };
  }
  return FAKE_ARGS;
}

// tools: [{name, schema}]; items: normalized conversation [{kind:'user'|'assistant_text'|'assistant_tool'|'tool_result', text}]
// "Current turn" = items after the last text-only assistant message. If the current turn already holds a
// tool result, answer with final text (agents may append reminder/context user messages after tool results).
function decide(tools, items) {
  if (!tools.length) return { type: "text", text: "ok" };
  let i = items.length - 1, result = null;
  for (; i >= 0 && items[i].kind !== "assistant_text"; i--) if (!result && items[i].kind === "tool_result") result = items[i];
  if (result) return { type: "text", text: `FAKE-MODEL-DONE: ${result.text.slice(0, 500)}` };
  // Codex puts MCP tools in Responses-API namespaces ("mcp__<server>" + "<tool>"); match the bare or qualified name.
  const t = tools.find((x) => TOOL_RE.test(x.name) || (x.ns && TOOL_RE.test(`${x.ns}__${x.name}`)));
  if (!t) return { type: "text", text: `FAKE-MODEL: no tool matches ${TOOL_RE}; have ${tools.map((x) => x.name).join(",")}` };
  return { type: "tool", name: t.name, ns: t.ns, custom: t.custom, args: toolArgs(t) };
}

// ---------- OpenAI Chat Completions ----------
function chatTools(body) {
  return (body.tools || []).map((t) => ({ name: t.function?.name ?? t.name, schema: t.function?.parameters ?? t.parameters }));
}
function chatItems(body) {
  return (body.messages || []).map((m) =>
    m.role === "tool" ? { kind: "tool_result", text: textOf(m.content) }
    : m.role === "assistant" ? { kind: m.tool_calls?.length ? "assistant_tool" : "assistant_text", text: textOf(m.content) }
    : { kind: "user", text: textOf(m.content) });
}
function handleChat(body, res) {
  const d = decide(chatTools(body), chatItems(body));
  const id = nid("chatcmpl"), created = Math.floor(Date.now() / 1000), model = body.model || "fake";
  const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
  const toolCall = d.type === "tool" && { index: 0, id: nid("call"), type: "function", function: { name: d.name, arguments: JSON.stringify(d.args) } };
  const finish = d.type === "tool" ? "tool_calls" : "stop";
  if (!body.stream) {
    const message = { role: "assistant", content: d.type === "text" ? d.text : null };
    if (toolCall) { const { index, ...tc } = toolCall; message.tool_calls = [tc]; }
    return json(res, { id, object: "chat.completion", created, model, choices: [{ index: 0, message, finish_reason: finish }], usage });
  }
  sseStart(res);
  const chunk = (delta, finish_reason = null, extra = {}) =>
    res.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason }], ...extra })}\n\n`);
  chunk({ role: "assistant", content: "" });
  if (toolCall) chunk({ tool_calls: [toolCall] });
  else chunk({ content: d.text });
  chunk({}, finish);
  if (body.stream_options?.include_usage) res.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [], usage })}\n\n`);
  res.end("data: [DONE]\n\n");
}

// ---------- OpenAI Responses ----------
function respTools(body) {
  const out = [];
  for (const t of body.tools || []) {
    if (t.type === "function" || (!t.type && t.name)) out.push({ name: t.name, schema: t.parameters });
    if (t.type === "custom") out.push({ name: t.name, custom: true });
    if (t.type === "namespace" && Array.isArray(t.tools)) for (const s of t.tools) out.push({ name: s.name, schema: s.parameters, ns: t.name });
  }
  return out;
}
function respItems(body) {
  const input = typeof body.input === "string" ? [{ role: "user", content: body.input }] : body.input || [];
  return input.map((m) =>
    /_output$/.test(m.type || "") ? { kind: "tool_result", text: textOf(m.output) }
    : /_call$/.test(m.type || "") ? { kind: "assistant_tool", text: "" }
    : m.role === "assistant" ? { kind: "assistant_text", text: textOf(m.content) }
    : m.type === "reasoning" ? { kind: "other", text: "" }
    : { kind: "user", text: textOf(m.content) });
}
function handleResponses(body, res) {
  const d = decide(respTools(body), respItems(body));
  const rid = nid("resp"), model = body.model || "fake";
  const item = d.type === "tool" && d.custom
    ? { type: "custom_tool_call", id: nid("ctc"), call_id: nid("call"), name: d.name, input: d.args, status: "completed" }
    : d.type === "tool"
    ? { type: "function_call", id: nid("fc"), call_id: nid("call"), name: d.name, ...(d.ns ? { namespace: d.ns } : {}), arguments: JSON.stringify(d.args), status: "completed" }
    : { type: "message", id: nid("msg"), role: "assistant", status: "completed", content: [{ type: "output_text", text: d.text, annotations: [] }] };
  const usage = { input_tokens: 10, input_tokens_details: { cached_tokens: 0 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 15 };
  const base = { id: rid, object: "response", created_at: Math.floor(Date.now() / 1000), model, status: "in_progress", output: [] };
  const done = { ...base, status: "completed", output: [item], usage };
  if (!body.stream) return json(res, done);
  sseStart(res);
  let n = 0;
  const ev = (type, obj) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: n++, ...obj })}\n\n`);
  ev("response.created", { response: base });
  ev("response.in_progress", { response: base });
  if (item.type === "message") {
    ev("response.output_item.added", { output_index: 0, item: { ...item, status: "in_progress", content: [] } });
    ev("response.content_part.added", { output_index: 0, item_id: item.id, content_index: 0, part: { type: "output_text", text: "", annotations: [] } });
    ev("response.output_text.delta", { output_index: 0, item_id: item.id, content_index: 0, delta: d.text });
    ev("response.output_text.done", { output_index: 0, item_id: item.id, content_index: 0, text: d.text });
    ev("response.content_part.done", { output_index: 0, item_id: item.id, content_index: 0, part: item.content[0] });
  } else if (item.type === "custom_tool_call") {
    ev("response.output_item.added", { output_index: 0, item: { ...item, status: "in_progress", input: "" } });
    ev("response.custom_tool_call_input.delta", { output_index: 0, item_id: item.id, delta: item.input });
    ev("response.custom_tool_call_input.done", { output_index: 0, item_id: item.id, input: item.input });
  } else {
    ev("response.output_item.added", { output_index: 0, item: { ...item, status: "in_progress", arguments: "" } });
    ev("response.function_call_arguments.delta", { output_index: 0, item_id: item.id, delta: item.arguments });
    ev("response.function_call_arguments.done", { output_index: 0, item_id: item.id, arguments: item.arguments });
  }
  ev("response.output_item.done", { output_index: 0, item });
  ev("response.completed", { response: done });
  res.end();
}

// ---------- Anthropic Messages ----------
function anthTools(body) {
  return (body.tools || []).filter((t) => t.name && (t.input_schema || !t.type || t.type === "custom")).map((t) => ({ name: t.name, schema: t.input_schema }));
}
function anthItems(body) {
  return (body.messages || []).map((m) => {
    const blocks = Array.isArray(m.content) ? m.content : [{ type: "text", text: m.content }];
    if (m.role === "assistant") return { kind: blocks.some((b) => b.type === "tool_use") ? "assistant_tool" : "assistant_text", text: textOf(blocks) };
    const tr = blocks.filter((b) => b && b.type === "tool_result");
    if (tr.length) return { kind: "tool_result", text: tr.map((b) => textOf(b.content)).join("\n") };
    return { kind: "user", text: textOf(blocks) };
  });
}
function handleMessages(body, res) {
  const d = decide(anthTools(body), anthItems(body));
  const mid = nid("msg"), model = body.model || "fake";
  const block = d.type === "tool" ? { type: "tool_use", id: nid("toolu"), name: d.name, input: d.args } : { type: "text", text: d.text };
  const stop = d.type === "tool" ? "tool_use" : "end_turn";
  const usage = { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  if (!body.stream) return json(res, { id: mid, type: "message", role: "assistant", model, content: [block], stop_reason: stop, stop_sequence: null, usage });
  sseStart(res);
  const ev = (type, obj) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...obj })}\n\n`);
  ev("message_start", { message: { id: mid, type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } });
  if (block.type === "tool_use") {
    ev("content_block_start", { index: 0, content_block: { ...block, input: {} } });
    ev("content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json: JSON.stringify(block.input) } });
  } else {
    ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
    ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: block.text } });
  }
  ev("content_block_stop", { index: 0 });
  ev("message_delta", { delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: 5 } });
  ev("message_stop", {});
  res.end();
}

// ---------- Google Gemini API ----------
function gemTools(body) {
  const out = [];
  for (const t of body.tools || [])
    for (const f of t.functionDeclarations || []) out.push({ name: f.name, schema: f.parametersJsonSchema ?? f.parameters });
  return out;
}
function gemItems(body) {
  return (body.contents || []).map((c) => {
    const parts = c.parts || [];
    if (parts.some((p) => p.functionResponse))
      return { kind: "tool_result", text: parts.map((p) => (p.functionResponse ? textOf(p.functionResponse.response) : textOf(p.text))).join("\n") };
    if (c.role === "model") return { kind: parts.some((p) => p.functionCall) ? "assistant_tool" : "assistant_text", text: parts.map((p) => p.text || "").join("") };
    return { kind: "user", text: parts.map((p) => p.text || "").join("") };
  });
}
function handleGemini(body, res, stream) {
  const d = decide(gemTools(body), gemItems(body));
  const part = d.type === "tool" ? { functionCall: { name: d.name, args: d.args } } : { text: d.text };
  const out = { candidates: [{ content: { role: "model", parts: [part] }, finishReason: "STOP", index: 0 }],
                usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 }, modelVersion: "fake-model" };
  if (!stream) return json(res, out);
  sseStart(res);
  res.end(`data: ${JSON.stringify(out)}\n\n`);
}

// ---------- plumbing ----------
function json(res, obj, status = 200) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(obj));
}
function sseStart(res) {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
}

const server = http.createServer((req, res) => {
  let raw = "";
  req.setEncoding("utf8");
  req.on("data", (c) => (raw += c));
  req.on("end", () => {
    let body = null;
    try { body = raw ? JSON.parse(raw) : null; } catch { body = { _unparsed: raw.slice(0, 2000) }; }
    const path = req.url.split("?")[0];
    log({ method: req.method, url: req.url, headers: req.headers, body });
    try {
      if (req.method === "GET" && /\/models$/.test(path))
        return json(res, { object: "list", data: [{ id: "fake-model", object: "model", created: 0, owned_by: "fake" }], models: [] });
      if (req.method !== "POST") return json(res, { error: { message: `no route ${req.method} ${path}` } }, 404);
      if (/\/messages\/count_tokens$/.test(path)) return json(res, { input_tokens: 10 });
      if (/:countTokens$/.test(path)) return json(res, { totalTokens: 10 });
      if (/:streamGenerateContent$/.test(path)) return handleGemini(body || {}, res, true);
      if (/:generateContent$/.test(path)) return handleGemini(body || {}, res, false);
      if (/\/chat\/completions$/.test(path)) return handleChat(body || {}, res);
      if (/\/responses$/.test(path)) return handleResponses(body || {}, res);
      if (/\/messages$/.test(path)) return handleMessages(body || {}, res);
      return json(res, { error: { message: `no route POST ${path}` } }, 404);
    } catch (e) {
      log({ error: String(e.stack || e) });
      json(res, { error: { message: String(e) } }, 500);
    }
  });
});
server.on("upgrade", (req, socket) => { log({ method: "UPGRADE", url: req.url, headers: req.headers }); socket.end("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"); });
server.listen(PORT, HOST, () => console.error(`fake-model listening on http://${HOST}:${PORT} log=${LOG}`));
for (const s of ["SIGINT", "SIGTERM"]) process.on(s, () => server.close(() => process.exit(0)));
