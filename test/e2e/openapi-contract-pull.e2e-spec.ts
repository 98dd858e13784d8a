import { auth, createSession, say, text } from '../helpers/factories.js';
import { OpenApiContract } from '../helpers/openapi-contract.js';
import { externalAgentsFile } from '../helpers/pull-agents.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { sql } from '../helpers/test-database.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('the OpenAPI document matches the pull-worker endpoints', () => {
  let t: TestApp;
  let contract: OpenApiContract;
  let doc: Json;
  let alice: string;
  let worker: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { AGENTS_FILE: externalAgentsFile('support') } });
    [alice, worker] = await Promise.all([t.token('alice'), t.agentToken(['support'])]);
    const res = await t.http().get('/docs/openapi.json').expect(200);
    doc = res.body as Json;
    contract = new OpenApiContract(res.body);
  });
  afterAll(() => t.close());

  const post = (token: string, path: string, body: Json) => t.http().post(path).set(auth(token)).send(body);

  it('documents claim, steps, heartbeat and result with their errors', () => {
    const paths = [
      '/v1/agents/{agentId}/tasks/claim',
      '/v1/tasks/{id}/steps',
      '/v1/tasks/{id}/heartbeat',
      '/v1/tasks/{id}/result',
    ];
    for (const path of paths) {
      const responses = doc.paths[path].post.responses as Json;
      expect([path, ['400', '401', '403', '404'].every((status) => status in responses)]).toEqual([path, true]);
    }
    expect(doc.paths['/v1/tasks/{id}/result'].post.responses['409']).toBeDefined();
    // the operations open to agent tokens are marked; every other one documents the guard's 403
    const open: string[] = [];
    for (const [path, item] of Object.entries(doc.paths as Json)) {
      for (const [method, op] of Object.entries(item as Json)) {
        if (!path.startsWith('/v1/')) continue;
        if (op['x-agent-token-access']) open.push(`${method.toUpperCase()} ${path}`);
        else expect([method, path, Boolean(op.responses['403'])]).toEqual([method, path, true]);
      }
    }
    expect(open.sort()).toEqual(
      [
        'GET /v1/me',
        'GET /v1/sessions/{id}',
        'GET /v1/sessions/{id}/events',
        'GET /v1/sessions/{id}/tasks',
        'GET /v1/tasks/{id}',
        ...paths.map((path) => `POST ${path}`),
      ].sort(),
    );
    expect(doc.components.schemas.MeDto.properties.role.enum).toContain('agent');
  });

  it('real responses: claims (empty and not), steps 201, heartbeat, result, 409, 403, 404', async () => {
    const claimPath = '/v1/agents/{agentId}/tasks/claim';
    contract.check('POST', claimPath, await post(worker, '/v1/agents/support/tasks/claim', { waitMs: 0 }));
    const session = await createSession(t, alice, { agentId: 'support' });
    await say(t, alice, session.id, 'contract', false);
    const claimed = await post(worker, '/v1/agents/support/tasks/claim', { waitMs: 0 });
    contract.check('POST', claimPath, claimed);
    const c = claimed.body.claims[0];
    const steps = await post(worker, `/v1/tasks/${c.task.id}/steps`, {
      leaseId: c.leaseId,
      steps: [{ kind: 'tool_call', callId: 'c', name: 'n', arguments: null }],
    });
    expect(steps.status).toBe(201);
    contract.check('POST', '/v1/tasks/{id}/steps', steps);
    contract.check(
      'POST',
      '/v1/tasks/{id}/heartbeat',
      await post(worker, `/v1/tasks/${c.task.id}/heartbeat`, { leaseId: c.leaseId }),
    );
    const result = await post(worker, `/v1/tasks/${c.task.id}/result`, { leaseId: c.leaseId, parts: text('ok') });
    expect(result.status).toBe(200);
    contract.check('POST', '/v1/tasks/{id}/result', result);
    const lost = await post(worker, `/v1/tasks/${c.task.id}/result`, { leaseId: c.leaseId, parts: text('again') });
    expect(lost.status).toBe(409);
    contract.check('POST', '/v1/tasks/{id}/result', lost);
    const refused = await post(alice, '/v1/agents/support/tasks/claim', {});
    expect(refused.status).toBe(403);
    contract.check('POST', claimPath, refused);
    const unknown = await post(worker, '/v1/agents/nobody/tasks/claim', {});
    expect(unknown.status).toBe(404);
    contract.check('POST', claimPath, unknown);
    const invalid = await post(worker, '/v1/agents/support/tasks/claim', { waitMs: 60_000 });
    expect(invalid.status).toBe(400);
    contract.check('POST', claimPath, invalid);
    const me = await t.http().get('/v1/me').set(auth(worker));
    contract.check('GET', '/v1/me', me);
    const answers = await sql(
      t.db.url,
      "SELECT 1 FROM events WHERE task_id = $1 AND type = 'message' AND role = 'agent'",
      [c.task.id],
    );
    expect(answers).toHaveLength(1);
  });
});
