// Benchmark inputs, the way the Cedar paper made them: for an app's schema,
// random entity hierarchies of 5 to 50 entities and random requests over
// them.  Also large generated policy sets (1,000 and 10,000 policies).
//
//   node gen.mjs app SCHEMA.json OUTDIR HIERARCHIES REQUESTS SEED
//   node gen.mjs many NPOLICIES OUTDIR HIERARCHIES REQUESTS SEED
import fs from 'node:fs';
import path from 'node:path';
import { makeRng } from '../tests/differential/rng.mjs';

const [mode, a1, outDir, hArg, rArg, seedArg] = process.argv.slice(2);
const { rand, int, pick, chance } = makeRng(Number(seedArg || 7));
const H = Number(hArg), R = Number(rArg);
fs.mkdirSync(outDir, { recursive: true });

function appMode(schemaPath) {
  const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'))[''];
  const types = Object.keys(schema.entityTypes);
  const actions = schema.actions;
  const idFor = (t, i) => (t === 'Application' ? 'TinyTodo' : `${t.toLowerCase()}${i}`);

  function value(ty, byType) {
    switch (ty.type) {
      case 'String': return `s${int(5)}`;
      case 'Long': return int(100);
      case 'Boolean': return rand() < 0.5;
      case 'Entity': {
        const pool = byType[ty.name] || [];
        const id = pool.length ? pick(pool) : idFor(ty.name, 0);
        return { __entity: { type: ty.name, id } };
      }
      case 'Set': return Array.from({ length: int(3) }, () => value(ty.element, byType));
      case 'Record': {
        const o = {};
        for (const [k, v] of Object.entries(ty.attributes || {}))
          if (v.required !== false || rand() < 0.5) o[k] = value(v, byType);
        return o;
      }
      default: return {};
    }
  }

  for (let h = 0; h < H; h++) {
    const size = 5 + int(46);
    const byType = {};
    const ents = [];
    // At least one entity of each type, the rest at random.
    const order = [...types, ...Array.from({ length: Math.max(0, size - types.length) }, () => pick(types))];
    for (const t of order) {
      byType[t] = byType[t] || [];
      if (t === 'Application' && byType[t].length) continue;
      byType[t].push(idFor(t, byType[t].length));
    }
    for (const [t, ids] of Object.entries(byType)) {
      const def = schema.entityTypes[t];
      for (const id of ids) {
        const parents = [];
        for (const pt of def.memberOfTypes || [])
          for (const pid of byType[pt] || []) if (rand() < 0.3 && !(pt === t && pid === id)) parents.push({ type: pt, id: pid });
        ents.push({ uid: { type: t, id }, attrs: def.shape ? value(def.shape, byType) : {}, parents });
      }
    }
    // Same-type parents could form a cycle; keep only edges to a later id.
    for (const e of ents)
      e.parents = e.parents.filter((p) => p.type !== e.uid.type || p.id > e.uid.id);
    for (const [name, def] of Object.entries(actions))
      ents.push({ uid: { type: 'Action', id: name }, attrs: {},
        parents: (def.memberOf || []).map((m) => ({ type: 'Action', id: m.id })) });
    const reqs = [];
    for (let r = 0; r < R; r++) {
      const name = pick(Object.keys(actions));
      const at = actions[name].appliesTo || {};
      const pt = pick(at.principalTypes || types), rt = pick(at.resourceTypes || types);
      reqs.push({ principal: { type: pt, id: pick(byType[pt] || [idFor(pt, 0)]) },
        action: { type: 'Action', id: name }, resource: { type: rt, id: pick(byType[rt] || [idFor(rt, 0)]) },
        context: at.context ? value(at.context, byType) : {} });
    }
    fs.writeFileSync(path.join(outDir, `h${h}.entities.json`), JSON.stringify(ents));
    fs.writeFileSync(path.join(outDir, `h${h}.requests.json`), JSON.stringify(reqs));
  }
}

// Many policies: each names one user (or group) and one document, as an
// access-control list grows; a request matches only a few of them.
function manyMode(n) {
  const users = Math.max(10, Math.floor(n / 10)), docs = Math.max(10, Math.floor(n / 20)), groups = 20;
  const lines = [];
  for (let i = 0; i < n; i++) {
    const who = i % 4 === 0 ? `principal in Group::"g${int(groups)}"` : `principal == User::"u${int(users)}"`;
    const act = pick(['read', 'write', 'share']);
    const cond = i % 3 === 0 ? ` when { context.level >= ${int(5)} }` : i % 3 === 1 ? ' unless { resource.locked }' : '';
    lines.push(`${i % 10 === 9 ? 'forbid' : 'permit'}(${who}, action == Action::"${act}", resource == Doc::"d${int(docs)}")${cond};`);
  }
  fs.writeFileSync(path.join(outDir, 'policies.cedar'), lines.join('\n') + '\n');
  // the schema they are written against (bench_validate)
  fs.writeFileSync(path.join(outDir, 'schema.cedarschema'),
    'entity Group;\nentity User in [Group];\nentity Doc = { locked: Bool };\n' +
    'action "read", "write", "share" appliesTo {\n  principal: [User], resource: [Doc],\n' +
    '  context: { level: Long }\n};\n');
  for (let h = 0; h < H; h++) {
    const ents = [];
    for (let g = 0; g < groups; g++) ents.push({ uid: { type: 'Group', id: `g${g}` }, attrs: {}, parents: [] });
    const some = Array.from({ length: 5 + int(46) }, () => int(users));
    for (const u of new Set(some))
      ents.push({ uid: { type: 'User', id: `u${u}` }, attrs: {}, parents: [{ type: 'Group', id: `g${int(groups)}` }] });
    for (let d = 0; d < docs; d++) ents.push({ uid: { type: 'Doc', id: `d${d}` }, attrs: { locked: rand() < 0.2 }, parents: [] });
    const reqs = [];
    for (let r = 0; r < R; r++)
      reqs.push({ principal: { type: 'User', id: `u${pick(some)}` }, action: { type: 'Action', id: pick(['read', 'write', 'share']) },
        resource: { type: 'Doc', id: `d${int(docs)}` }, context: { level: int(6) } });
    fs.writeFileSync(path.join(outDir, `h${h}.entities.json`), JSON.stringify(ents));
    fs.writeFileSync(path.join(outDir, `h${h}.requests.json`), JSON.stringify(reqs));
  }
}

if (mode === 'app') appMode(a1);
else if (mode === 'many') manyMode(Number(a1));
else { console.error('usage: gen.mjs app SCHEMA OUT H R SEED | many N OUT H R SEED'); process.exit(2); }
