import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TaskState, type StreamResponse, type TaskPushNotificationConfig } from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';
import { LegacyJsonRpcTransport } from '@a2a-js/sdk/compat/v0_3/client';
import { TaskNotFoundError } from '@a2a-js/sdk/errors';
import { auth, eventually } from '../helpers/factories.js';
import { a2aClient, asTask, bearerFetch, collect, sendRequest, userMessage } from '../helpers/a2a-client.js';
import { FakeAgentServer, json } from '../helpers/fake-agent-server.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';

const cases = (events: StreamResponse[]) => events.map((e) => e.payload?.$case);
const isFinal = (events: StreamResponse[]) => {
  const last = events.at(-1)?.payload;
  return last?.$case === 'statusUpdate' && last.value.status!.state === TaskState.TASK_STATE_COMPLETED;
};

describe('A2A push notifications and artifact updates', () => {
  const receiver = new WebhookReceiver();
  const agents = new FakeAgentServer();
  let t: TestApp;
  let alice: string;
  let bob: string;
  let client: Client;

  const config = (taskId: string, path: string, extra: Partial<TaskPushNotificationConfig> = {}) => ({
    tenant: '',
    id: '',
    taskId,
    url: `${receiver.url}${path}`,
    token: '',
    authentication: undefined,
    ...extra,
  });

  beforeAll(async () => {
    await receiver.start();
    await agents.start();
    agents.route('/slow-artifact', async (_req, res) => {
      await sleep(600);
      json(res, 200, {
        parts: [{ kind: 'text', text: 'report ready' }],
        artifacts: [
          { artifactId: 'a-1', name: 'report', description: 'the report', parts: [{ kind: 'text', text: 'all good' }] },
        ],
      });
    });
    const file = join(mkdtempSync(join(tmpdir(), 'a2a-push-')), 'agents.json');
    writeFileSync(
      file,
      JSON.stringify({
        agents: [
          { id: 'echo', kind: 'echo' },
          { id: 'reporter', kind: 'http', url: `${agents.url}/slow-artifact` },
        ],
      }),
    );
    t = await startTestApp({ env: { AGENTS_FILE: file, WEBHOOK_ALLOW_PRIVATE: 'true' } });
    [alice, bob] = await Promise.all([t.token('alice'), t.token('bob')]);
    client = await a2aClient(t.baseUrl, 'echo', alice, 'JSONRPC');
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
    await agents.stop();
  });

  it('creates, gets, lists and deletes configs in the database; the card says pushNotifications', async () => {
    expect((await client.getAgentCard()).capabilities?.pushNotifications).toBe(true);
    const task = asTask(await client.sendMessage(sendRequest(userMessage('configs'))));
    const created = await client.createTaskPushNotificationConfig(config(task.id, '/crud', { token: 'tok-1' }));
    expect(created).toMatchObject({ taskId: task.id, url: `${receiver.url}/crud`, token: 'tok-1' });
    expect(created.id).not.toBe('');
    const named = await client.createTaskPushNotificationConfig(
      config(task.id, '/crud2', { id: 'mine', authentication: { scheme: 'Bearer', credentials: 'c' } }),
    );
    expect(named.id).toBe('mine');
    const got = await client.getTaskPushNotificationConfig({ tenant: '', taskId: task.id, id: 'mine' });
    expect(got).toMatchObject({ url: `${receiver.url}/crud2`, authentication: { scheme: 'Bearer', credentials: 'c' } });
    const listed = await client.listTaskPushNotificationConfig({
      tenant: '',
      taskId: task.id,
      pageSize: 0,
      pageToken: '',
    });
    expect(listed.configs.map((c: TaskPushNotificationConfig) => c.id).sort()).toEqual([created.id, 'mine'].sort());
    await client.deleteTaskPushNotificationConfig({ tenant: '', taskId: task.id, id: 'mine' });
    await expect(
      client.getTaskPushNotificationConfig({ tenant: '', taskId: task.id, id: 'mine' }),
    ).rejects.toBeInstanceOf(TaskNotFoundError);
    const rows = await t.http().get(`/v1/tasks/${task.id}`).set(auth(alice));
    expect(rows.status).toBe(200);
  });

  it("answers another user's task with task not found, for every config operation", async () => {
    const task = asTask(await client.sendMessage(sendRequest(userMessage('private configs'))));
    await client.createTaskPushNotificationConfig(config(task.id, '/private', { id: 'p' }));
    const other = await a2aClient(t.baseUrl, 'echo', bob, 'JSONRPC');
    const attempts = [
      () => other.createTaskPushNotificationConfig(config(task.id, '/stolen')),
      () => other.getTaskPushNotificationConfig({ tenant: '', taskId: task.id, id: 'p' }),
      () => other.listTaskPushNotificationConfig({ tenant: '', taskId: task.id, pageSize: 0, pageToken: '' }),
      () => other.deleteTaskPushNotificationConfig({ tenant: '', taskId: task.id, id: 'p' }),
    ];
    for (const attempt of attempts) await expect(attempt()).rejects.toBeInstanceOf(TaskNotFoundError);
    const still = await client.getTaskPushNotificationConfig({ tenant: '', taskId: task.id, id: 'p' });
    expect(still.url).toBe(`${receiver.url}/private`);
  });

  it('notifies the config when the task completes, with its token in X-A2A-Notification-Token', async () => {
    const running = asTask(
      await client.sendMessage(sendRequest(userMessage('/sleep 800 pushed'), { returnImmediately: true })),
    );
    await client.createTaskPushNotificationConfig(config(running.id, '/done', { token: 'secret-token' }));
    const got = await eventually(
      async () => receiver.at('/done'),
      (list) => list.some((d) => d.body.statusUpdate?.status?.state === 'TASK_STATE_COMPLETED'),
    );
    const done = got.find((d) => d.body.statusUpdate.status.state === 'TASK_STATE_COMPLETED')!;
    expect(done.headers['x-a2a-notification-token']).toBe('secret-token');
    expect(done.headers.authorization).toBeUndefined();
    expect(done.headers['content-type']).toBe('application/a2a+json');
    expect(done.body.statusUpdate).toMatchObject({ taskId: running.id, contextId: running.contextId });
    expect(done.body.statusUpdate.status.message.parts[0].text).toContain('pushed');
    // the task was already working when the config was set: the completion is the one change left to tell
    expect(got.map((d) => d.body.statusUpdate.status.state)).toEqual(['TASK_STATE_COMPLETED']);
  });

  it('sends `authentication` as the Authorization header, and 0.3 bodies to configs set over 0.3', async () => {
    const legacy = new LegacyJsonRpcTransport({
      endpoint: `${t.baseUrl}/a2a/echo/jsonrpc`,
      fetchImpl: bearerFetch(alice),
    });
    const running = asTask(
      await legacy.sendMessage(sendRequest(userMessage('/sleep 800 legacy'), { returnImmediately: true })),
    );
    await legacy.createTaskPushNotificationConfig(
      config(running.id, '/legacy', { authentication: { scheme: 'Bearer', credentials: 'receiver-cred' } }),
    );
    const got = await eventually(
      async () => receiver.at('/legacy'),
      (list) => list.some((d) => d.body.status?.state === 'completed'),
    );
    const done = got.find((d) => d.body.status?.state === 'completed')!;
    expect(done.headers.authorization).toBe('Bearer receiver-cred');
    expect(done.headers['x-a2a-notification-token']).toBeUndefined();
    // A2A 0.3 sends the whole task
    expect(done.body).toMatchObject({ kind: 'task', id: running.id, contextId: running.contextId });
  });

  it('streams artifacts as TaskArtifactUpdateEvents before the final status, in message/stream and resubscribe', async () => {
    const reporter = await a2aClient(t.baseUrl, 'reporter', alice, 'JSONRPC');
    const streamed = await collect(reporter.sendMessageStream(sendRequest(userMessage('report please'))), isFinal);
    expect(cases(streamed).slice(-2)).toEqual(['artifactUpdate', 'statusUpdate']);
    const update = streamed.at(-2)!.payload!;
    if (update.$case !== 'artifactUpdate') throw new Error('expected an artifact update');
    expect(update.value).toMatchObject({ append: false, lastChunk: true });
    expect(update.value.artifact).toMatchObject({ artifactId: 'a-1', name: 'report', description: 'the report' });
    const running = asTask(await reporter.sendMessage(sendRequest(userMessage('again'), { returnImmediately: true })));
    const resubscribed = await collect(reporter.resubscribeTask({ tenant: '', id: running.id }), isFinal);
    expect(cases(resubscribed)[0]).toBe('task');
    expect(cases(resubscribed).slice(-2)).toEqual(['artifactUpdate', 'statusUpdate']);
    const finished = await reporter.getTask({ tenant: '', id: running.id });
    expect(finished.artifacts.map((a) => a.name)).toEqual(['report']);
    const sent = asTask(await reporter.sendMessage(sendRequest(userMessage('blocking'))));
    expect(sent.artifacts.map((a) => a.artifactId)).toEqual(['a-1']);
  });

  it('streams stored steps as working status updates whose message is the step', async () => {
    const streamed = await collect(
      client.sendMessageStream(sendRequest(userMessage('/tool search {"q":"cats"}'))),
      isFinal,
    );
    const steps = streamed.flatMap((e) =>
      e.payload?.$case === 'statusUpdate' && e.payload.value.metadata?.step ? [e.payload.value] : [],
    );
    expect(steps.map((u) => [u.status!.state, u.metadata!.step])).toEqual([
      [TaskState.TASK_STATE_WORKING, 'tool_call'],
      [TaskState.TASK_STATE_WORKING, 'tool_result'],
    ]);
    expect(steps[0].status!.message!.metadata).toMatchObject({ name: 'search', step: 'tool_call', attempt: 1 });
    const call = steps[0].status!.message!.parts[0].content;
    expect(call?.$case === 'data' && call.value).toMatchObject({ name: 'search', arguments: { q: 'cats' } });
    // the steps come before the final status, and the answer is not one of them
    expect(
      streamed.indexOf(
        streamed.find((e) => e.payload?.$case === 'statusUpdate' && e.payload.value.metadata?.step === 'tool_result')!,
      ),
    ).toBeLessThan(streamed.length - 1);
  });
});
