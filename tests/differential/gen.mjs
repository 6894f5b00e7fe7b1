// Differential testing of airlock's Cedar engine against the official one
// (@cedar-policy/cedar-wasm).  Generates random policy sets, entities and
// requests that cover every operator, extension function and error case,
// asks cedar-wasm for the answers, and writes them as test files in Cedar's
// integration-test format, which `airlock policy test` then runs.  Policy
// sets cedar-wasm refuses to parse are listed in rejected.txt; airlock must
// refuse them too (run.sh checks).
//
//   node gen.mjs OUTDIR SEED FILES REQUESTS_PER_FILE
import * as cedar from '../peers/node_modules/@cedar-policy/cedar-wasm/nodejs/cedar_wasm.js';
import fs from 'node:fs';
import path from 'node:path';
import { makeRng } from './rng.mjs';

const [outDir, seedArg, filesArg, reqsArg] = process.argv.slice(2);
const FILES = Number(filesArg || 200), REQS = Number(reqsArg || 10);
const { rand, int, pick, chance } = makeRng(Number(seedArg || 1));

const TYPES = ['User', 'Group', 'Doc', 'NS::Folder'];
const IDS = ['a', 'b', 'c', '', 'd\u0000e'];
const ACTIONS = ['read', 'write', 'admin', 'delete'];
const ATTRS = ['age', 'name', 'flag', 'owner', 'tags', 'info', 'ip', 'amount', 'when', 'span', 'nested'];
const TAGS = ['t1', 't2', 'level'];
const STRINGS = ['', 'a', 'abc', 'a*c', 'x\ny', 'naïve', 'tab\there', 'q"uote', 'back\\slash', 'nul\u0000nul'];
const PATTERNS = ['*', 'a*', '*c', 'a\\*c', '', 'abc', '*b*', '**', 'x*y', 'na*'];
const IPS = ['127.0.0.1', '10.0.0.0/8', '10.1.2.3', '::1', 'ff02::1', '224.0.0.1', '192.168.0.1/24',
  '2001:db8::/32', '1.2.3.4/33', '01.2.3.4', '::ffff:1.2.3.4', 'bogus', '0.0.0.0/0', 'fe80::1:2:3:4:5:6'];
const DECIMALS = ['0.0', '1.5', '-2.25', '922337203685477.5807', '-922337203685477.5808', '1.23456', '1', '3.14',
  '-0.0001', '922337203685477.5808', 'x.1'];
const DATETIMES = ['2024-01-01', '2024-02-29T12:30:00Z', '1969-12-31T23:59:59.999Z', '2024-06-01T10:00:00+0530',
  '2024-06-01T10:00:00.123-0800', '2023-02-29', '2024-01-01T24:00:00Z', '1970-01-01', '2024-13-01', 'nope',
  '0000-01-01', '9999-12-31T23:59:59Z'];
const DURATIONS = ['1d', '2h30m', '-15m', '1d2h3m4s5ms', '0ms', '90s', '1h1d', '', '-', '9223372036854775807ms',
  '106751991167d', '3m', '1ms'];
const BIGS = ['9223372036854775807', '4611686018427387904', '3037000500', '1', '0', '42', '7'];

const uid = () => ({ type: pick(TYPES), id: pick(IDS) });
const actionUid = () => ({ type: 'Action', id: pick(ACTIONS) });
const str = (s) => JSON.stringify(s).replace(/\\u0000/g, '\\0');
const uidText = (u) => `${u.type}::${str(u.id)}`;

// ---- expressions (as Cedar text), by the type we aim for ------------------
const KINDS = ['bool', 'long', 'string', 'entity', 'set', 'record', 'ip', 'decimal', 'datetime', 'duration'];

function lit(kind) {
  switch (kind) {
    case 'bool': return pick(['true', 'false']);
    case 'long': return chance(0.2) ? (chance(0.5) ? '-' : '') + pick(BIGS) : String(int(21) - 10);
    case 'string': return str(pick(STRINGS));
    case 'entity': return uidText(chance(0.3) ? actionUid() : uid());
    case 'set': return '[' + Array.from({ length: int(4) }, () => expr(pick(['long', 'entity', 'string']), 1)).join(', ') + ']';
    case 'record': return '{' + Array.from({ length: int(3) }, (_, i) => `${pick(ATTRS)}${i}: ${expr(pick(KINDS), 1)}`).join(', ') + '}';
    case 'ip': return `ip(${str(pick(IPS))})`;
    case 'decimal': return `decimal(${str(pick(DECIMALS))})`;
    case 'datetime': return `datetime(${str(pick(DATETIMES))})`;
    case 'duration': return `duration(${str(pick(DURATIONS))})`;
  }
}

const VARS = ['principal', 'resource', 'action'];

function expr(kind, depth) {
  if (chance(0.06)) kind = pick(KINDS); // ill-typed on purpose: type errors
  if (depth <= 0 || chance(0.25)) {
    if (chance(0.3)) return access(kind);
    return lit(kind);
  }
  const d = depth - 1;
  const e = (k) => expr(k, d);
  const gens = {
    bool: [
      () => `${e('long')} ${pick(['<', '<=', '>', '>='])} ${e('long')}`,
      () => `${e('datetime')} ${pick(['<', '<=', '>', '>='])} ${e('datetime')}`,
      () => `${e('duration')} < ${e('duration')}`,
      () => { const k = pick(KINDS); return `${e(k)} ${pick(['==', '!='])} ${e(k)}`; },
      () => `${e('bool')} && ${e('bool')}`,
      () => `${e('bool')} || ${e('bool')}`,
      () => `!${e('bool')}`,
      () => `${e('entity')} in ${e('entity')}`,
      () => `${e('entity')} in [${e('entity')}, ${e('entity')}]`,
      () => `${pick(['context', ...VARS])} has ${pick(ATTRS)}`,
      () => `${pick(['context', 'principal'])} has ${pick(ATTRS)}.${pick(ATTRS)}`,
      () => `${e('record')} has ${str(pick(ATTRS))}`,
      () => `${e('string')} like ${str(pick(PATTERNS))}`,
      () => `${e('entity')} is ${pick(TYPES)}`,
      () => `${e('entity')} is ${pick(TYPES)} in ${e('entity')}`,
      () => `${e('set')}.contains(${e(pick(['long', 'entity', 'string']))})`,
      () => `${e('set')}.${pick(['containsAll', 'containsAny'])}(${e('set')})`,
      () => `${e('set')}.isEmpty()`,
      () => `${e('entity')}.hasTag(${str(pick(TAGS))})`,
      () => `${e('ip')}.${pick(['isIpv4', 'isIpv6', 'isLoopback', 'isMulticast'])}()`,
      () => `${e('ip')}.isInRange(${e('ip')})`,
      () => `${e('decimal')}.${pick(['lessThan', 'lessThanOrEqual', 'greaterThan', 'greaterThanOrEqual'])}(${e('decimal')})`,
      () => `if ${e('bool')} then ${e('bool')} else ${e('bool')}`,
      () => `${e('ip')}.isIpv4(${e('ip')})`, // wrong arity: an evaluation error
    ],
    long: [
      () => `${e('long')} ${pick(['+', '-', '*'])} ${e('long')}`,
      () => `-${e('long')}`,
      () => `${e('duration')}.${pick(['toMilliseconds', 'toSeconds', 'toMinutes', 'toHours', 'toDays'])}()`,
      () => `${e('entity')}.getTag(${str(pick(TAGS))})`,
      () => `if ${e('bool')} then ${e('long')} else ${e('long')}`,
    ],
    string: [() => `if ${e('bool')} then ${e('string')} else ${e('string')}`],
    entity: [() => pick(VARS), () => `if ${e('bool')} then ${e('entity')} else ${e('entity')}`],
    set: [() => `[${e('entity')}, ${e('long')}]`],
    record: [() => 'context', () => `{a: ${e(pick(KINDS))}, "b c": ${e(pick(KINDS))}}`],
    ip: [() => `ip(${e('string')})`],
    decimal: [() => `decimal(${e('string')})`],
    datetime: [() => `${e('datetime')}.offset(${e('duration')})`, () => `${e('datetime')}.toDate()`],
    duration: [() => `${e('datetime')}.durationSince(${e('datetime')})`, () => `${e('datetime')}.toTime()`],
  };
  const g = gens[kind];
  return '(' + pick(g)() + ')';
}

function access(kind) {
  const base = pick(['context', 'principal', 'resource', `${uidText(uid())}`]);
  if (kind === 'record' && chance(0.5)) return 'context';
  if (kind === 'entity' && chance(0.5)) return pick(VARS);
  if (chance(0.2)) return `${base}[${str(pick(ATTRS))}]`;
  return `${base}.${pick(ATTRS)}`;
}

function scopeVar(v) {
  const r = int(10);
  const u = () => uidText(uid());
  if (r === 0) return `${v} == ${u()}`;
  if (r === 1) return `${v} in ${u()}`;
  if (r === 2) return `${v} is ${pick(TYPES)}`;
  if (r === 3) return `${v} is ${pick(TYPES)} in ${u()}`;
  return v;
}

function scopeAction() {
  const r = int(4);
  if (r === 0) return `action == ${uidText(actionUid())}`;
  if (r === 1) return `action in ${uidText(actionUid())}`;
  if (r === 2) return `action in [${uidText(actionUid())}, ${uidText(actionUid())}]`;
  return 'action';
}

function policy() {
  const anno = chance(0.2) ? `@${pick(['note', 'owner', 'advice'])}(${str(pick(STRINGS))})\n` : '';
  const conds = Array.from({ length: int(3) }, () => `${pick(['when', 'unless'])} { ${expr('bool', 3)} }`).join('\n');
  return `${anno}${pick(['permit', 'permit', 'forbid'])} (${scopeVar('principal')}, ${scopeAction()}, ${scopeVar('resource')})\n${conds};`;
}

// ---- data -----------------------------------------------------------------
function jsonValue(depth) {
  const r = int(depth > 0 ? 12 : 9);
  switch (r) {
    case 0: return chance(0.5);
    case 1: return int(200) - 100;
    case 2: return pick(STRINGS);
    case 3: return { __entity: uid() };
    case 4: return { __extn: { fn: 'ip', arg: pick(IPS.slice(0, 7)) } };
    case 5: return { __extn: { fn: 'decimal', arg: pick(DECIMALS.slice(0, 5)) } };
    case 6: return { __extn: { fn: 'datetime', arg: pick(DATETIMES.slice(0, 5)) } };
    case 7: return { __extn: { fn: 'duration', arg: pick(DURATIONS.slice(0, 5)) } };
    case 8: return int(2) ? 9007199254740991 : -9007199254740991;
    case 9: case 10: return Array.from({ length: int(4) }, () => jsonValue(depth - 1));
    default: {
      const o = {};
      for (let i = int(4); i > 0; i--) o[pick(ATTRS)] = jsonValue(depth - 1);
      return o;
    }
  }
}

// Parents come from later in a fixed order, so hierarchies are acyclic,
// except now and then, to check that both engines refuse a cycle.
const rank = (u) => (u.type === 'Action' ? ACTIONS.indexOf(u.id) : TYPES.indexOf(u.type) * 10 + IDS.indexOf(u.id));
function parentOf(u) {
  for (let tries = 0; tries < 8; tries++) {
    const p = u.type === 'Action' ? actionUid() : uid();
    if (rank(p) > rank(u) || chance(0.01)) return p;
  }
  return null;
}

function entities() {
  const seen = new Set(), out = [];
  const add = (u) => {
    const k = u.type + '\u0001' + u.id;
    if (seen.has(k)) return;
    seen.add(k);
    const attrs = {}, tags = {};
    for (let i = int(5); i > 0; i--) attrs[pick(ATTRS)] = jsonValue(2);
    for (let i = int(3); i > 0; i--) tags[pick(TAGS)] = jsonValue(1);
    const parents = Array.from({ length: int(3) }, () => parentOf(u)).filter((p) => p);
    const e = { uid: u, attrs, parents };
    if (chance(0.6)) e.tags = tags;
    out.push(e);
  };
  for (let i = int(8) + 2; i > 0; i--) add(uid());
  for (const a of ACTIONS) if (chance(0.6)) add({ type: 'Action', id: a });
  return out;
}

function context() {
  const c = {};
  for (let i = int(5); i > 0; i--) c[pick(ATTRS)] = jsonValue(2);
  return c;
}

// ---- main -----------------------------------------------------------------
fs.mkdirSync(outDir, { recursive: true });
const rejected = [];
let written = 0, requests = 0;
for (let f = 0; f < FILES; f++) {
  const n = int(5) + 1;
  const text = Array.from({ length: n }, policy).join('\n\n') + '\n';
  const ents = entities();
  const base = `case${String(f).padStart(5, '0')}`;
  fs.writeFileSync(path.join(outDir, base + '.cedar'), text);
  fs.writeFileSync(path.join(outDir, base + '.entities.json'), JSON.stringify(ents));
  const reqs = [];
  let failed = false;
  for (let r = 0; r < REQS; r++) {
    const known = () => (chance(0.7) ? pick(ents).uid : uid());
    const q = { principal: known(), action: actionUid(), resource: known(), context: context() };
    const ans = cedar.isAuthorized({ ...q, policies: { staticPolicies: text }, entities: ents });
    if (ans.type !== 'success') {
      failed = true;
      rejected.push(`${base}\t${JSON.stringify(ans.errors.map((e) => e.message)).slice(0, 300)}`);
      break;
    }
    const d = ans.response.diagnostics;
    reqs.push({ description: `request ${r}`, ...q, decision: ans.response.decision,
      reason: d.reason, errors: d.errors.map((e) => e.policyId) });
  }
  if (failed) continue;
  fs.writeFileSync(path.join(outDir, base + '.json'), JSON.stringify({
    policies: base + '.cedar', entities: base + '.entities.json', requests: reqs }, null, 1));
  written++;
  requests += reqs.length;
}
fs.writeFileSync(path.join(outDir, 'rejected.txt'), rejected.join('\n') + (rejected.length ? '\n' : ''));
console.log(`generated ${written} test files, ${requests} requests; cedar-wasm rejected ${rejected.length} policy sets`);
