// Streamable HTTP in front of a stdio MCP server, so that the conformance
// suite (an HTTP client) can test what sits behind it.  Both sides of the
// comparison in conformance.test.mjs go through this same bridge, so what
// differs between them is what is behind it: the server alone, or airlock
// in front of it.
//
//   node http-bridge.mjs PORT -- COMMAND [ARG...]      (prints "listening")
//
// Each HTTP session starts its own COMMAND; "%SESSION%" in an argument
// becomes the session's number (a gateway needs a data directory of its
// own per process in embedded mode).
import { createServer } from "node:http";
import { randomUUID } from "node:crypto";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const port = Number(process.argv[2]);
const sep = process.argv.indexOf("--");
const [command, ...args] = process.argv.slice(sep + 1);
const sessions = new Map();
let count = 0;

// A message from the server goes on the HTTP stream of the request it
// belongs to: a response by its id, a notification or request by the
// progress token or, failing that, the client request most recently sent.
function relate(msg, inflight) {
  if ("id" in msg && !("method" in msg)) return undefined;
  const token = msg.params?.progressToken ?? msg.params?._meta?.progressToken;
  if (token !== undefined && inflight.has(token)) return token;
  return [...inflight].pop();
}

async function newSession() {
  const inflight = new Set();
  const n = ++count;
  const up = new StdioClientTransport({ command, args: args.map((a) => a.replaceAll("%SESSION%", String(n))),
                                        env: process.env, stderr: "inherit" });
  const http = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    onsessioninitialized: (id) => sessions.set(id, http),
  });
  http.onmessage = (m) => {
    if ("method" in m && "id" in m) inflight.add(m.id);
    up.send(m).catch(() => {});
  };
  up.onmessage = (m) => {
    if ("id" in m && !("method" in m)) inflight.delete(m.id);
    http.send(m, { relatedRequestId: relate(m, inflight) }).catch(() => {});
  };
  http.onclose = () => up.close();
  up.onclose = () => http.close();
  await up.start();
  await http.start();
  return http;
}

createServer(async (req, res) => {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined;
  const sid = req.headers["mcp-session-id"];
  let http = sid ? sessions.get(sid) : undefined;
  if (!http && !sid && body?.method === "initialize") http = await newSession();
  if (!http) {
    res.writeHead(sid ? 404 : 400, { "content-type": "application/json" });
    res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32000, message: "no such session" } }));
    return;
  }
  await http.handleRequest(req, res, body);
}).listen(port, "127.0.0.1", () => console.log("listening"));
