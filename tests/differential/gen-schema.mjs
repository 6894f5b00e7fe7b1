// Differential testing of airlock's validator against the official one
// (@cedar-policy/cedar-wasm's `validate`, strict mode).  Generates random
// schemas (in either format) and policies written against them (mostly
// well typed, with misspelt attributes, unguarded optional ones, wrong
// operand types and impossible scopes mixed in), asks cedar-wasm whether
// they validate, and writes validation-only test files ("shouldValidate",
// no requests) that `airlock policy test` checks.  With --corpus, Cedar's
// corpus schemas and policies are asked too.
//
// One documented divergence: cedar-wasm 4.13 reports a policy whose scope
// no action applies to ("unable to find an applicable action") as a
// warning; Cedar 4.10, which made the corpus, and airlock report it as an
// error (it is a policy that can never apply): it counts as one here.
//
//   node gen-schema.mjs OUTDIR SEED CASES [--corpus CORPUSDIR]
import * as cedar from '../peers/node_modules/@cedar-policy/cedar-wasm/nodejs/cedar_wasm.js';
import fs from 'node:fs';
import path from 'node:path';
import { makeRng } from './rng.mjs';

const [outDir, seedArg, casesArg, flag, corpusDir] = process.argv.slice(2);
const CASES = Number(casesArg || 300);
const { int, pick, chance } = makeRng(Number(seedArg || 1));

const PRINCIPALS = ['User', 'Group', 'NS::Bot'];
const RESOURCES = ['Doc', 'NS::Folder'];
const ACTIONS = ['read', 'write', 'delete', 'share'];
const NAMES = ['age', 'name', 'flag', 'owner', 'tags', 'ip', 'amount', 'when', 'span', 'meta', 'level'];
const PRIMS = ['Long', 'String', 'Bool', 'ipaddr', 'decimal', 'datetime', 'duration'];

// ---- a random schema, as data then as text ---------------------------------
function attrType(depth) {
  const r = int(10);
  if (r < 5) return { k: pick(PRIMS) };
  if (r < 7) return { k: 'Set', of: { k: pick(['Long', 'String']) } };
  if (r < 9) return { k: 'Entity', name: pick([...PRINCIPALS, ...RESOURCES]) };
  if (depth > 0) return { k: 'Record', attrs: attrs(depth - 1, 3) };
  return { k: 'String' };
}
function attrs(depth, max) {
  const a = {};
  for (let i = int(max) + 1; i > 0; i--) a[pick(NAMES)] = { type: attrType(depth), req: chance(0.6) };
  return a;
}
function schemaData() {
  const ents = {};
  for (const t of [...PRINCIPALS, ...RESOURCES])
    ents[t] = { attrs: chance(0.85) ? attrs(1, 5) : {}, tags: chance(0.3) ? pick(['Long', 'String']) : null,
                parents: t === 'User' || t === 'NS::Bot' ? (chance(0.8) ? ['Group'] : []) :
                         t === 'Doc' ? (chance(0.5) ? ['NS::Folder'] : []) : [] };
  const acts = {};
  for (const a of ACTIONS) {
    const ps = PRINCIPALS.filter(() => chance(0.6)), rs = RESOURCES.filter(() => chance(0.7));
    if (!ps.length) ps.push(pick(PRINCIPALS)); // a human-format list is never empty
    if (!rs.length) rs.push(pick(RESOURCES));
    acts[a] = { principals: ps, resources: rs, context: chance(0.7) ? attrs(1, 4) : {},
                parents: a === 'delete' ? ['write'] : [] };
  }
  return { ents, acts };
}
function typeText(t) {
  switch (t.k) {
    case 'Set': return `Set<${typeText(t.of)}>`;
    case 'Entity': return t.name; // written qualified
    case 'Record': return recordText(t.attrs);
    default: return `__cedar::${t.k === 'Bool' ? 'Bool' : t.k}`;
  }
}
function recordText(a) {
  return '{' + Object.entries(a).map(([n, x]) => `${n}${x.req ? '' : '?'}: ${typeText(x.type)}`).join(', ') + '}';
}
function schemaText(s) {
  const out = [], ns = [];
  for (const [t, e] of Object.entries(s.ents)) {
    const name = t.replace('NS::', '');
    const parents = e.parents.length ? ` in [${e.parents.join(', ')}]` : '';
    const decl = `entity ${name}${parents} = ${recordText(e.attrs)}${e.tags ? ` tags __cedar::${e.tags}` : ''};`;
    (t.startsWith('NS::') ? ns : out).push(decl);
  }
  out.push(`namespace NS { ${ns.join(' ')} }`);
  for (const [a, x] of Object.entries(s.acts)) {
    const parents = x.parents.length ? ` in [${x.parents.map((p) => JSON.stringify(p)).join(', ')}]` : '';
    const applies = chance(0.9)
      ? ` appliesTo { principal: [${x.principals.join(', ')}], resource: [${x.resources.join(', ')}], context: ${recordText(x.context)} }`
      : '';
    out.push(`action ${JSON.stringify(a)}${parents}${applies};`);
  }
  return out.join('\n') + '\n';
}

// ---- policies written against it --------------------------------------------
const misspell = (n) => (chance(0.5) ? n + 'x' : n.slice(1) || 'q');
function lit(k) {
  switch (k) {
    case 'Long': return String(int(20));
    case 'String': return JSON.stringify(pick(['a', 'b', '']));
    case 'Bool': return pick(['true', 'false']);
    case 'ipaddr': return `ip("10.0.0.${int(9)}")`;
    case 'decimal': return `decimal("${int(9)}.5")`;
    case 'datetime': return `datetime("2026-0${int(8) + 1}-01")`;
    case 'duration': return `duration("${int(9)}h")`;
    default: return '1';
  }
}
// a condition on base (an expression of record type ra)
function onAttrs(base, ra) {
  const names = Object.keys(ra);
  if (!names.length || chance(0.1)) return `${base} has ${pick(NAMES)}`;
  let n = pick(names);
  const x = ra[n];
  if (chance(0.08)) n = misspell(n);
  const read = `${base}.${n}`;
  let test;
  switch (x.type.k) {
    case 'Long': test = `${read} ${pick(['>', '<=', '=='])} ${chance(0.9) ? lit('Long') : lit('String')}`; break;
    case 'String': test = chance(0.5) ? `${read} like "a*"` : `${read} == ${lit(chance(0.9) ? 'String' : 'Long')}`; break;
    case 'Bool': test = chance(0.9) ? read : `${read} + 1 > 0`; break;
    case 'ipaddr': test = `${read}.isInRange(ip("10.0.0.0/8"))`; break;
    case 'decimal': test = `${read}.lessThan(decimal("1.0"))`; break;
    case 'datetime': test = `${read} < ${chance(0.9) ? lit('datetime') : lit('duration')}`; break;
    case 'duration': test = `${read}.toHours() > 1`; break;
    case 'Set': test = `${read}.contains(${lit(chance(0.9) ? x.type.of.k : 'Bool')})`; break;
    case 'Entity': test = chance(0.5) ? `${read} == principal` : `${read} in Group::"g"`; break;
    case 'Record': test = onAttrs(read, x.type.attrs); break;
  }
  // an optional attribute is read after `has`, most of the time
  return x.req || chance(0.15) ? test : `(${base} has ${n} && ${test})`;
}
function policy(s) {
  const p = chance(0.6) ? pick(PRINCIPALS) : null, a = chance(0.7) ? pick(ACTIONS) : null;
  const r = chance(0.5) ? pick(RESOURCES) : null;
  const scope = `(${p ? `principal is ${p}` : 'principal'}, ${a ? `action == Action::${JSON.stringify(a)}` : 'action'}, ${r ? `resource is ${r}` : 'resource'})`;
  const conds = [];
  for (let i = int(3); i > 0; i--) {
    const w = int(5);
    let c;
    if (w === 0 && p) c = onAttrs('principal', s.ents[p].attrs);
    else if (w === 1 && r) c = onAttrs('resource', s.ents[r].attrs);
    else if (w === 2 && a) c = onAttrs('context', s.acts[a].context);
    else if (w === 3 && r && s.ents[r].tags) c = `resource.hasTag("t") && resource.getTag("t") == ${lit(s.ents[r].tags)}`;
    else c = pick([`principal in Group::"g"`, `resource in NS::Folder::"f"`, `action in Action::"write"`,
                   `[] == []`, `principal == resource`, `context has meta`, `${lit('Long')} > ${lit('String')}`,
                   `if principal is User then true else false`]);
    conds.push(`${pick(['when', 'when', 'unless'])} { ${c} }`);
  }
  return `${pick(['permit', 'forbid'])} ${scope} ${conds.join(' ')};`;
}

// cedar-wasm's verdict: valid, or not (the divergence above counted as an error)
function wasmValid(schema, policies) {
  const a = cedar.validate({ schema, policies: { staticPolicies: policies }, validationSettings: { mode: 'strict' } });
  // does not parse: not a validation case (DEBUG=1 says why)
  if (a.type !== "success") { if (process.env.DEBUG) console.error(a.errors.map((e) => e.message).join("; "), "\n", schema); return null; }
  const noAction = a.validationWarnings.some((w) => /unable to find an applicable action/.test(w.error.message));
  return a.validationErrors.length === 0 && !noAction;
}

fs.mkdirSync(outDir, { recursive: true });
let written = 0, valid = 0;
function write(name, schema, schemaExt, policies, ok) {
  fs.writeFileSync(path.join(outDir, name + schemaExt), schema);
  fs.writeFileSync(path.join(outDir, name + '.cedar'), policies);
  fs.writeFileSync(path.join(outDir, name + '.test.json'), JSON.stringify({
    policies: name + '.cedar', entities: null, schema: name + schemaExt, shouldValidate: ok, requests: [] }));
  written++;
  valid += ok ? 1 : 0;
}
for (let c = 0; c < CASES; c++) {
  const s = schemaData();
  let text = schemaText(s), ext = '.cedarschema', given = text;
  if (chance(0.3)) { // the same schema in JSON, as cedar-wasm writes it
    const j = cedar.schemaToJson(text);
    if (j.type === 'success') { given = j.json; text = JSON.stringify(j.json, null, 1); ext = '.schema.json'; }
  }
  const policies = Array.from({ length: int(3) + 1 }, () => policy(s)).join('\n') + '\n';
  const ok = wasmValid(given, policies);
  if (ok === null) continue;
  write(`vcase${String(c).padStart(5, '0')}`, text, ext, policies, ok);
}
if (flag === '--corpus') {
  const dir = path.join(corpusDir, 'corpus-tests');
  for (const f of fs.readdirSync(dir)) {
    if (!f.endsWith('.cedarschema')) continue;
    const base = f.slice(0, -12);
    const schema = fs.readFileSync(path.join(dir, f), 'utf8');
    const policies = fs.readFileSync(path.join(dir, base + '.cedar'), 'utf8');
    const ok = wasmValid(schema, policies);
    if (ok !== null) write(`corpus-${base}`, schema, '.cedarschema', policies, ok);
  }
}
console.log(`generated ${written} validation cases (${valid} valid by cedar-wasm)`);
