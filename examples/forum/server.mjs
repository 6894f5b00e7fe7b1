#!/usr/bin/env node
// An internal forum as an MCP server (stdio): the world of the incident.
// Tools: read a question, post a reply with an audience, run a shell
// command.  Posts and commands are kept in a state file next to the forum
// (FORUM_STATE, default ./forum-state.json); nothing is really published
// and no command is really run: this is the example's stand-in for the
// company's systems, and airlock, in front of it, is the real thing.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

const here = dirname(fileURLToPath(import.meta.url));
const forum = JSON.parse(readFileSync(join(here, "forum.json"), "utf8"));
const statePath = process.env.FORUM_STATE ?? "forum-state.json";

function record(kind, item) {
  const state = existsSync(statePath) ? JSON.parse(readFileSync(statePath, "utf8")) : {};
  (state[kind] ??= []).push({ ...item, at: new Date().toISOString() });
  writeFileSync(statePath, JSON.stringify(state, null, 2));
}

const server = new McpServer({ name: "acme-forum", version: "1.0.0" });

server.registerTool("read_question", {
  title: "Read a forum question",
  description: "Read a question from the internal engineering forum.",
  inputSchema: { id: z.number().int() },
  annotations: { readOnlyHint: true, openWorldHint: false },
}, async ({ id }) => {
  const q = forum.questions.find((x) => x.id === id);
  if (!q) return { isError: true, content: [{ type: "text", text: `no question ${id}` }] };
  return { content: [{ type: "text", text: `${q.title}\n(${q.author} in ${q.channel})\n\n${q.body}` }] };
});

server.registerTool("post_reply", {
  title: "Post a reply",
  description: "Post a reply to a forum question, visible to the given audience.",
  inputSchema: {
    question: z.number().int(),
    text: z.string(),
    audience: z.enum(["self", "team", "company", "public"]),
  },
  // What a careless server might claim; airlock's configuration decides.
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
}, async ({ question, text, audience }) => {
  record("posts", { question, text, audience });
  return { content: [{ type: "text", text: `posted to question ${question} for ${audience}` }] };
});

// FORUM_TOOL_NOTE is appended to run_command's description: how the tests
// show a server changing a tool's definition under the agent's feet.
server.registerTool("run_command", {
  title: "Run a shell command",
  description: "Run a shell command on the engineer's workstation." +
    (process.env.FORUM_TOOL_NOTE ?? ""),
  inputSchema: { command: z.string() },
}, async ({ command }) => {
  record("commands", { command });
  return { content: [{ type: "text", text: `ran: ${command}` }] };
});

await server.connect(new StdioServerTransport());
