// npm run bench: measures the built service against a PostgreSQL server and the same database's raw limit
// (pgbench running the service's own append statement), prints one table and writes docs/benchmarks.md.
// Needs DATABASE_URL's server (default: the local one) with pgbench on PATH; creates and drops its own database.
import autocannon from 'autocannon';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { memoryProbe } from './memory.mjs';
import { scalingMarkdown, scalingTable } from './scaling.mjs';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const SESSIONS = 200;
const BODY = JSON.stringify({ parts: [{ kind: 'text', text: 'hello' }] });
// BENCH_ONLY=writes skips the seeded history and export runs (a quicker before/after of the write path)
const WRITES_ONLY = process.env.BENCH_ONLY === 'writes';
// where the report goes (the table is printed to stdout as well)
const REPORT = process.env.BENCH_REPORT ?? resolve(ROOT, 'docs/benchmarks.md');

const dbUrl = (name) => Object.assign(new URL(ADMIN_URL), { pathname: `/${name}` }).toString();
const log = (line) => process.stderr.write(`${line}\n`);

async function query(url, text, params = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows;
  } finally {
    await client.end();
  }
}

async function startService(url, port, env) {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: url,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '0',
      DATABASE_POOL_MAX: '20',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (
      await fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { child, base };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('service did not become healthy');
}

function load(options) {
  return new Promise((resolveRun, reject) => {
    autocannon({ duration: SECONDS, ...options }, (error, result) => (error ? reject(error) : resolveRun(result)));
  });
}

function row(scenario, clients, result, extra = {}) {
  const errors = result.non2xx + result.errors;
  return {
    scenario,
    clients,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors,
    ...extra,
  };
}

async function turnScenario(base, headers, sessions, clients) {
  let i = 0;
  const result = await load({
    url: base,
    connections: clients,
    headers,
    method: 'POST',
    body: BODY,
    requests: [
      { setupRequest: (req) => ({ ...req, path: `/v1/sessions/${sessions[i++ % sessions.length]}/events?wait=true` }) },
    ],
  });
  return row('full turn (?wait=true, echo agent)', clients, result);
}

async function appendScenario(base, headers, sessions, clients, label) {
  let i = 0;
  const result = await load({
    url: base,
    connections: clients,
    headers,
    method: 'POST',
    body: BODY,
    requests: [{ setupRequest: (req) => ({ ...req, path: `/v1/sessions/${sessions[i++ % sessions.length]}/events` }) }],
  });
  return row(label, clients, result);
}

/** The status lists the service passes to append_event, from the built status machine, as pgbench variables. */
async function statusVariables() {
  const machine = await import(pathToFileURL(resolve(ROOT, 'dist/conversation/status.machine.js')).href);
  const literal = (list) => `'{${list.join(',')}}'`;
  return [
    '-D',
    `refused=${literal(machine.REFUSING_USER_MESSAGES)}`,
    '-D',
    `reopened=${literal(machine.REOPENED_BY_USER_MESSAGE)}`,
  ];
}

async function pgbench(url, clients, file = 'append.pgbench.sql') {
  const script = resolve(ROOT, 'bench', file);
  const args = [
    '-n',
    '-c',
    String(clients),
    '-j',
    '2',
    '-T',
    String(SECONDS),
    ...(await statusVariables()),
    '-f',
    script,
    url,
  ];
  const { stdout } = await run('pgbench', args, { maxBuffer: 1 << 24 });
  return Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1] ?? NaN);
}

async function seedSession(url, events) {
  const [{ id }] = await query(
    url,
    `INSERT INTO sessions (user_id, agent_id, event_count, turn_count) VALUES ('bench', 'echo', $1, $1 / 2) RETURNING id`,
    [events],
  );
  const step = 100_000;
  for (let from = 1; from <= events; from += step) {
    await query(
      url,
      `
      INSERT INTO events (id, session_id, seq, type, role, parts, metadata, created_at, hash)
      SELECT gen_random_uuid(), $1, g, 'message', CASE WHEN g % 2 = 1 THEN 'user' ELSE 'agent' END,
             jsonb_build_array(jsonb_build_object('kind', 'text', 'text', 'seeded message number ' || g)), '{}', now(), sha256(int4send(g))
      FROM generate_series($2::int, $3::int) g`,
      [id, from, Math.min(from + step - 1, events)],
    );
  }
  return id;
}

async function historyScenario(base, headers, sessionId, size, clients) {
  const result = await load({
    url: base,
    connections: clients,
    headers,
    duration: Math.max(4, SECONDS - 2),
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          path: `/v1/sessions/${sessionId}/events?after=${Math.floor(Math.random() * Math.max(size - 100, 1))}&limit=100`,
        }),
      },
    ],
  });
  return row(`history page (limit 100), ${size.toLocaleString('en')} events`, clients, result);
}

function rssKb(pid) {
  return run('ps', ['-o', 'rss=', '-p', String(pid)]).then(
    ({ stdout }) => Number(stdout.trim()),
    () => 0,
  );
}

async function exportScenario(base, headers, pid, sessionId, size) {
  const before = await rssKb(pid);
  let peak = before;
  const sampler = setInterval(async () => (peak = Math.max(peak, await rssKb(pid))), 50);
  const started = performance.now();
  const res = await fetch(`${base}/v1/sessions/${sessionId}/transcript?format=ndjson`, { headers });
  let lines = 0;
  for await (const chunk of res.body) for (const byte of chunk) if (byte === 10) lines++;
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  return {
    scenario: `export ndjson, ${size.toLocaleString('en')} events`,
    clients: 1,
    rps: (lines - 1) / seconds,
    p50: seconds * 1000,
    p99: NaN,
    errors: res.ok ? 0 : 1,
    memory: `RSS ${Math.round(before / 1024)} → peak ${Math.round(peak / 1024)} MiB`,
  };
}

async function main() {
  const name = `bench_${Date.now().toString(36)}`;
  await query(ADMIN_URL, `CREATE DATABASE "${name}"`);
  const url = dbUrl(name);
  const services = [];
  try {
    const writer = await startService(url, 3901, { WORKER_ENABLED: 'false' });
    services.push(writer);
    const headers = { Authorization: `Bearer ${await token(url, 'bench')}`, 'Content-Type': 'application/json' };
    const admin = { Authorization: `Bearer ${await token(url, 'ops', 'admin')}` };
    const memory = memoryProbe({ base: writer.base, headers: admin, pid: writer.child.pid });
    await memory.sample('start');
    const sessions = [];
    for (let i = 0; i < SESSIONS; i++) {
      const res = await fetch(`${writer.base}/v1/sessions`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ agentId: 'echo' }),
      });
      sessions.push((await res.json()).id);
    }
    await query(url, 'CREATE TABLE bench_sessions (n int PRIMARY KEY, id uuid NOT NULL)');
    await query(
      url,
      'INSERT INTO bench_sessions SELECT ordinality, id FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, ordinality)',
      [sessions],
    );

    const rows = [];
    log('appends (worker off) and pgbench with the same statement …');
    for (const clients of [1, 16, 64]) {
      const service = await appendScenario(writer.base, headers, sessions, clients, 'append, many sessions');
      const tps = await pgbench(url, clients);
      const quiet = await pgbench(url, clients, 'append-quiet.pgbench.sql');
      rows.push({ ...service, pgbench: tps, quiet, ratio: service.rps / quiet });
    }
    const single = await appendScenario(writer.base, headers, [sessions[0]], 64, 'append, one session');
    rows.push({ ...single, pgbench: NaN, ratio: NaN });
    await memory.sample('appends');

    log('full turns through the echo agent …');
    // the appends above queued thousands of tasks; cancel them so turns measure turns, not that backlog
    await query(url, "UPDATE tasks SET status = 'canceled', finished_at = now() WHERE status = 'submitted'");
    // and clear their dead index entries, which the claim would otherwise step over until autovacuum runs
    await query(url, 'VACUUM ANALYZE tasks');
    const worker = await startService(url, 3902, { WORKER_CONCURRENCY: '16' });
    for (const clients of [1, 16]) rows.push(await turnScenario(worker.base, headers, sessions, clients));
    worker.child.kill('SIGTERM');
    await new Promise((r) => worker.child.once('exit', r));

    log('appends through 1, 2 and 3 instances on one database …');
    const scaling = await scalingTable({ url, headers, sessions, startService, load, query, log });

    if (WRITES_ONLY) return await report(url, rows, scaling, memory);
    log('seeding sessions of 10, 10k and 1M events …');
    const sized = {};
    for (const size of [10, 10_000, 100_000, 1_000_000]) sized[size] = await seedSession(url, size);
    await query(url, 'ANALYZE events');
    for (const clients of [1, 16]) {
      for (const size of [10, 10_000, 1_000_000])
        rows.push(await historyScenario(writer.base, headers, sized[size], size, clients));
    }
    await memory.sample('history reads');
    rows.push(await exportScenario(writer.base, headers, writer.child.pid, sized[100_000], 100_000));
    await memory.sample('export');
    await report(url, rows, scaling, memory);
  } finally {
    for (const s of services) s.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    await query(ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

async function token(url, user, role = 'user') {
  const { stdout } = await run(process.execPath, ['dist/cli/token.cli.js', 'create', '--user', user, '--role', role], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' },
  });
  return stdout.trim();
}

async function report(url, rows, scaling, memory) {
  // idle for a while, as a service between bursts is (two of IDLE_GC_CHECK_MS's default 10 s intervals):
  // what V8 and the allocator keep then is what stays resident
  await new Promise((r) => setTimeout(r, 25_000));
  await memory.sample('25 s idle');
  const text = `${await render(url, rows, memory)}\n${scalingMarkdown(scaling)}\n`;
  writeReport(text);
  process.stdout.write(`${table(rows)}\n\n${memory.markdown()}\n\n${scalingMarkdown(scaling)}\n`);
}

/** Hand-written notes below NOTES_MARKER in the report (before/after, levers) survive a new run. */
const NOTES_MARKER = '<!-- notes: kept by npm run bench -->';
function writeReport(generated) {
  const old = existsSync(REPORT) ? readFileSync(REPORT, 'utf8') : '';
  const at = old.indexOf(NOTES_MARKER);
  writeFileSync(REPORT, at >= 0 ? `${generated}\n${old.slice(at)}` : generated);
}

const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toLocaleString('en', { maximumFractionDigits: digits }) : '–');

function table(rows) {
  const lines = [
    '| scenario | clients | req/s (events/s) | p50 ms | p99 ms | errors | pgbench tps, NOTIFY in tx | pgbench tps, no NOTIFY | service / pgbench (no NOTIFY) | memory |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.scenario} | ${r.clients} | ${fmt(r.rps, 0)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${r.errors} | ${fmt(r.pgbench, 0)} | ${fmt(r.quiet, 0)} | ${Number.isFinite(r.ratio) ? `${Math.round(r.ratio * 100)}%` : '–'} | ${r.memory ?? ''} |`,
    );
  }
  return lines.join('\n');
}

function verdicts(rows, memory) {
  const append = (clients) => rows.find((r) => r.scenario === 'append, many sessions' && r.clients === clients);
  const turn = (clients) => rows.find((r) => r.scenario.startsWith('full turn') && r.clients === clients);
  const appendRatio = Math.min(...rows.filter((r) => Number.isFinite(r.ratio)).map((r) => r.ratio));
  const history = rows.filter((r) => r.scenario.startsWith('history') && r.clients === 1);
  const exported = rows.find((r) => r.scenario.startsWith('export'));
  const check = (ok) => (ok ? 'met' : '**missed**');
  const lines = [
    `- Append ≥ 2,000 events/s at 16 and 64 clients: ${fmt(append(16).rps, 0)} and ${fmt(append(64).rps, 0)} — ${check(append(16).rps >= 2000 && append(64).rps >= 2000)}`,
    `- Append ≥ 600/s at 1 client: ${fmt(append(1).rps, 0)} — ${check(append(1).rps >= 600)}`,
    `- Append p99 < 25 ms at 64 clients: ${fmt(append(64).p99)} ms — ${check(append(64).p99 < 25)}`,
    `- Append ≥ 70% of pgbench (same function, no NOTIFY, same concurrency): lowest ratio ${Math.round(appendRatio * 100)}% — ${check(appendRatio >= 0.7)}`,
    `- Full turn ≥ 500/s at 16 clients: ${fmt(turn(16).rps, 0)} — ${check(turn(16).rps >= 500)}`,
    `- Full turn p50 < 5 ms at 1 client: ${fmt(turn(1).p50)} ms — ${check(turn(1).p50 < 5)}`,
    `- Service RSS after the benchmark ≤ 200 MB: ${Math.round(memory.last.rss / 2 ** 20)} MiB — ${check(memory.last.rss <= 200 * 1e6)}`,
  ];
  if (history.length === 3 && exported) {
    lines.push(
      `- History page < 5 ms p50 at any length: ${history.map((h) => `${fmt(h.p50)} ms`).join(', ')} — ${check(history.every((h) => h.p50 < 5))}`,
      `- 1M-event page no slower than 10-event page (within 20%): ${fmt(history[2].p50)} vs ${fmt(history[0].p50)} ms p50 — ${check(history[2].p50 <= history[0].p50 * 1.2 + 0.5)}`,
      `- Export ≥ 50k events/s in constant memory: ${fmt(exported.rps, 0)} events/s, ${exported.memory} — ${check(exported.rps >= 50_000)}`,
    );
  }
  return lines.join('\n');
}

async function render(url, rows, memory) {
  const [{ version }] = await query(url, 'SELECT version()');
  return `# Benchmarks

Produced by \`npm run bench\` (bench/run.mjs) on ${new Date().toISOString().slice(0, 10)}; each load runs ${SECONDS} s with
[autocannon](https://github.com/mcollina/autocannon) against the built service on loopback.

Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version},
${version.split(',')[0]}. The load generator, the service and PostgreSQL share these cores.

How it is measured:
- Appends run against an instance with the worker off, so agent work does not compete; 200 sessions are
  used round-robin ("many sessions") or one session takes all requests.
- The raw limit is \`pgbench\` running the service's own append function at the same concurrency on the same
  database, right after the service's load: bench/append.pgbench.sql with NOTIFY inside the transaction (as the
  service did before notifications moved after commit) and bench/append-quiet.pgbench.sql without (as it calls
  it now). The ratio column compares the service with the second.
- Full turns use a second instance with the worker on: each request waits for the echo agent's stored answer.
- The scaling table spreads 64 clients over 1, 2 and 3 instances (worker off) and checks that every acknowledged
  append is stored.
- History reads page 100 events from random positions of sessions seeded with 10, 10,000 and 1,000,000 events,
  by one client (the latency targets) and by 16 (throughput; latency then includes queueing on 2 cores).
- Export streams a 100,000-event session as NDJSON while the service's RSS is sampled every 50 ms.

${table(rows)}

The writer instance's memory after each phase (V8's heap from its own \`/metrics\`; the export row is after the
export finished):

${memory.markdown()}

## Targets

${verdicts(rows, memory)}
`;
}

main().catch((error) => {
  log(`bench failed: ${error.stack ?? error}`);
  process.exit(1);
});
