// Before/after on a busy machine: `BENCH_BASELINE=/path/to/other/built/checkout node bench/ab.mjs` runs the
// baseline build and this one side by side, each on its own fresh database, and alternates short loads between
// them (A, B, B, A, …), so both see the same background load. Prints per-scenario medians and the after/before
// ratio; absolute numbers on a shared machine mean little, the ratio is the result. The first round of a full turn
// scenario also counts the transactions its database committed per turn (pg_stat_database xact_commit, less what
// the idle service commits in the same time).
// BENCH_SCENARIOS narrows the run, e.g. `BENCH_SCENARIOS='full turn@1,full turn@16'`.
import autocannon from 'autocannon';
import { execFile, spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const HERE = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BASE = process.env.BENCH_BASELINE;
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ONLY = process.env.BENCH_SCENARIOS?.split(',').map((s) => s.trim());
const BODY = JSON.stringify({ parts: [{ kind: 'text', text: 'hello' }] });
const dbUrl = (name) => Object.assign(new URL(ADMIN_URL), { pathname: `/${name}` }).toString();

async function query(url, text) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

async function start(root, url, port, env) {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: root,
    env: { ...process.env, ...env, DATABASE_URL: url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (
      await fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { child, base };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`service in ${root} did not become healthy`);
}

async function side(label, root, port) {
  const name = `ab_${label}_${Date.now().toString(36)}`;
  await query(ADMIN_URL, `CREATE DATABASE "${name}"`);
  const url = dbUrl(name);
  const env = { RATE_LIMIT_PER_MINUTE: '0', DATABASE_POOL_MAX: '20', WORKER_CONCURRENCY: '16' };
  const service = await start(root, url, port, env);
  const { stdout } = await run(process.execPath, ['dist/cli/token.cli.js', 'create', '--user', 'bench'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' },
  });
  const headers = { Authorization: `Bearer ${stdout.trim()}`, 'Content-Type': 'application/json' };
  const sessions = [];
  for (let i = 0; i < 200; i++) {
    const res = await fetch(`${service.base}/v1/sessions`, { method: 'POST', headers, body: '{"agentId":"echo"}' });
    sessions.push((await res.json()).id);
  }
  return { label, name, url, service, headers, sessions };
}

const commits = async (s) =>
  Number(
    (await query(ADMIN_URL, `SELECT xact_commit FROM pg_stat_database WHERE datname = '${s.name}'`))[0].xact_commit,
  );
// A backend that flushed its statistics less than a second ago holds the next ones until it has idled for 10 s
// (PGSTAT_IDLE_INTERVAL): counting waits that long before and after the load.
const STATS_SETTLE_MS = 11_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * One load; with `count`, also the transactions its database committed per request. The service commits some
 * while idle (worker polls, listener pings): their rate, measured over one settled idle window before the load,
 * is taken off the count.
 */
async function load(s, clients, wait, count = false) {
  if (!count) return loadOnly(s, clients, wait);
  await sleep(STATS_SETTLE_MS);
  const idleFrom = await commits(s);
  const idleStart = Date.now();
  await sleep(STATS_SETTLE_MS);
  const before = await commits(s);
  const idlePerMs = (before - idleFrom) / (Date.now() - idleStart);
  const start = Date.now();
  const result = await loadOnly(s, clients, wait);
  await sleep(STATS_SETTLE_MS);
  const background = idlePerMs * (Date.now() - start);
  return { ...result, perRequest: ((await commits(s)) - before - background) / result.total };
}

function loadOnly(s, clients, wait) {
  let i = 0;
  const path = () => `/v1/sessions/${s.sessions[i++ % s.sessions.length]}/events${wait ? '?wait=true' : ''}`;
  return new Promise((ok, fail) =>
    autocannon(
      {
        url: s.service.base,
        connections: clients,
        duration: SECONDS,
        headers: s.headers,
        method: 'POST',
        body: BODY,
        requests: [{ setupRequest: (req) => ({ ...req, path: path() }) }],
      },
      (e, r) =>
        e
          ? fail(e)
          : ok({
              rps: r.requests.average,
              p50: r.latency.p50,
              p99: r.latency.p99,
              errors: r.non2xx + r.errors,
              total: r.requests.total,
            }),
    ),
  );
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  if (!BASE) throw new Error('set BENCH_BASELINE to a built checkout of the baseline');
  const a = await side('before', BASE, 3951);
  const b = await side('after', HERE, 3952);
  try {
    const lines = [
      '| scenario | clients | before req/s (median) | after req/s (median) | after/before | before p50/p99 ms | after p50/p99 ms | xact/turn before → after |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ];
    const scenarios = [
      ['append', 1, false],
      ['append', 16, false],
      ['append', 64, false],
      ['full turn', 1, true],
      ['full turn', 16, true],
    ].filter(([scenario, clients]) => !ONLY || ONLY.includes(`${scenario}@${clients}`));
    for (const [scenario, clients, wait] of scenarios) {
      const got = { before: [], after: [] };
      for (let round = 0; round < ROUNDS; round++) {
        for (const s of round % 2 === 0 ? [a, b] : [b, a])
          got[s.label].push(await load(s, clients, wait, wait && round === 0));
        // the appends queue tasks the workers then answer: let them drain so the next load starts level
        if (!wait)
          for (const s of [a, b])
            await query(s.url, "UPDATE tasks SET status = 'canceled', finished_at = now() WHERE status = 'submitted'");
      }
      const m = (label, key) => median(got[label].map((r) => r[key]));
      const ratios = got.after.map((r, k) => r.rps / got.before[k].rps);
      const range = (label, key) => got[label].map((r) => r[key]).sort((x, y) => x - y);
      process.stderr.write(
        `${scenario}@${clients} rounds: before ${JSON.stringify(got.before)} after ${JSON.stringify(got.after)}\n` +
          `  req/s before ${range('before', 'rps')} after ${range('after', 'rps')}; p50 before ${range('before', 'p50')} after ${range('after', 'p50')}\n`,
      );
      lines.push(
        `| ${scenario} | ${clients} | ${Math.round(m('before', 'rps'))} | ${Math.round(m('after', 'rps'))} | ${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}) | ${m('before', 'p50')}/${m('before', 'p99')} | ${m('after', 'p50')}/${m('after', 'p99')} | ${wait ? `${got.before[0].perRequest.toFixed(1)} → ${got.after[0].perRequest.toFixed(1)}` : '–'} |`,
      );
      process.stderr.write(`${lines.at(-1)}\n`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    for (const s of [a, b]) s.service.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 2000));
    for (const s of [a, b]) await query(ADMIN_URL, `DROP DATABASE IF EXISTS "${s.name}" WITH (FORCE)`);
  }
}

main().catch((error) => {
  process.stderr.write(`ab failed: ${error.stack ?? error}\n`);
  process.exit(1);
});
