// The scaling table of `npm run bench`: appends at 64 clients in all, spread over 1, 2 and 3 instances of the
// service on one database (worker off). On 2 shared cores it cannot scale linearly; what it shows is that more
// instances do not lose throughput or events: every acknowledged append must be in the table afterwards.
const TOTAL_CLIENTS = 64;
const BODY = JSON.stringify({ parts: [{ kind: 'text', text: 'hello' }] });

async function storedEvents(query, url) {
  const [{ n }] = await query(url, 'SELECT coalesce(sum(event_count), 0)::bigint AS n FROM sessions');
  return Number(n);
}

async function spread(bases, headers, sessions, load) {
  let i = 0;
  const per = Math.floor(TOTAL_CLIENTS / bases.length);
  const results = await Promise.all(
    bases.map((base, k) =>
      load({
        url: base,
        connections: k === 0 ? TOTAL_CLIENTS - per * (bases.length - 1) : per,
        headers,
        method: 'POST',
        body: BODY,
        requests: [
          { setupRequest: (req) => ({ ...req, path: `/v1/sessions/${sessions[i++ % sessions.length]}/events` }) },
        ],
      }),
    ),
  );
  return {
    rps: results.reduce((sum, r) => sum + r.requests.average, 0),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    ok: results.reduce((sum, r) => sum + r['2xx'], 0),
    errors: results.reduce((sum, r) => sum + r.non2xx + r.errors, 0),
  };
}

export async function scalingTable({ url, headers, sessions, startService, load, query, log }) {
  const rows = [];
  for (const count of [1, 2, 3]) {
    const instances = [];
    try {
      for (let k = 0; k < count; k++)
        instances.push(await startService(url, 3911 + k, { WORKER_ENABLED: 'false', DATABASE_POOL_MAX: '12' }));
      const before = await storedEvents(query, url);
      const result = await spread(
        instances.map((s) => s.base),
        headers,
        sessions,
        load,
      );
      const stored = (await storedEvents(query, url)) - before;
      rows.push({ count, ...result, stored });
      log(
        `  ${count} instance(s): ${Math.round(result.rps)} appends/s, p99 ${result.p99} ms, ${stored}/${result.ok} stored`,
      );
    } finally {
      for (const s of instances) s.child.kill('SIGTERM');
      await Promise.all(instances.map((s) => new Promise((r) => s.child.once('exit', r))));
    }
  }
  return rows;
}

export function scalingMarkdown(rows) {
  const lines = [
    `## Scaling: appends at ${TOTAL_CLIENTS} clients over 1, 2 and 3 instances on one database`,
    '',
    '| instances | appends/s | p99 ms (worst instance) | errors | acknowledged | stored |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows)
    lines.push(
      `| ${r.count} | ${Math.round(r.rps).toLocaleString('en')} | ${r.p99} | ${r.errors} | ${r.ok} | ${r.stored} |`,
    );
  return lines.join('\n');
}
