// A pull worker in its own process, the way a team would write one: claim, store a step, renew the lease,
// answer. It prints one JSON line per claim and answer, for the test that runs it. With HOLD set, a message
// containing that word is claimed and never answered (the test kills the worker while it holds it).
const { BASE_URL, TOKEN, AGENT_ID, WORKER_NAME = 'worker', HOLD } = process.env;
const headers = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };

async function post(path, body) {
  const res = await fetch(`${BASE_URL}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

const say = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);

async function work(claim) {
  const { leaseId, task, trigger } = claim;
  const text = trigger.parts.map((part) => part.text ?? '').join(' ');
  say({ claimed: task.id, attempt: claim.attempt, worker: WORKER_NAME });
  const call = { kind: 'tool_call', callId: 'c1', name: 'lookup', arguments: { q: text } };
  await post(`/v1/tasks/${task.id}/steps`, { leaseId, steps: [call] });
  if (HOLD && text.includes(HOLD)) return new Promise(() => undefined);
  await post(`/v1/tasks/${task.id}/heartbeat`, { leaseId });
  const parts = [{ kind: 'text', text: `${WORKER_NAME} answers: ${text}` }];
  const steps = [{ kind: 'tool_result', callId: 'c1', output: [{ kind: 'text', text: 'found' }] }];
  const result = await post(`/v1/tasks/${task.id}/result`, { leaseId, parts, steps });
  say({ answered: task.id, status: result.status });
}

for (;;) {
  const { status, body } = await post(`/v1/agents/${AGENT_ID}/tasks/claim`, { waitMs: 2000, leaseMs: 5000 });
  if (status !== 200) {
    say({ error: status, body });
    await new Promise((resolve) => setTimeout(resolve, 500));
    continue;
  }
  for (const claim of body.claims) void work(claim);
}
