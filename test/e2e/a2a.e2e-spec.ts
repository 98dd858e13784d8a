import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Role, TaskState, type StreamResponse, type Task } from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';
import { LegacyJsonRpcTransport } from '@a2a-js/sdk/compat/v0_3/client';
import {
  RequestMalformedError,
  TaskNotCancelableError,
  TaskNotFoundError,
  UnsupportedOperationError,
} from '@a2a-js/sdk/errors';
import { auth } from '../helpers/factories.js';
import {
  a2aClient,
  asTask,
  bearerFetch,
  collect,
  sendRequest,
  textOf,
  textPart,
  userMessage,
  type Binding,
} from '../helpers/a2a-client.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const isFinal = (events: StreamResponse[]) => {
  const last = events.at(-1)?.payload;
  return (
    last?.$case === 'statusUpdate' &&
    [TaskState.TASK_STATE_COMPLETED, TaskState.TASK_STATE_FAILED].includes(last.value.status!.state)
  );
};
const statusesOf = (events: StreamResponse[]) =>
  events.flatMap((e) => (e.payload?.$case === 'statusUpdate' ? [e.payload.value.status!.state] : []));

describe('A2A server (@a2a-js/sdk clients against a running instance)', () => {
  let t: TestApp;
  let alice: string;
  let bob: string;
  let rita: string;
  let agentsFile: string;

  beforeAll(async () => {
    agentsFile = join(mkdtempSync(join(tmpdir(), 'a2a-agents-')), 'agents.json');
    writeFileSync(
      agentsFile,
      JSON.stringify({ agents: [{ id: 'parrot', kind: 'echo', name: 'Parrot', description: 'Another echo agent.' }] }),
    );
    t = await startTestApp({ env: { AGENTS_FILE: agentsFile } });
    [alice, bob, rita] = await Promise.all([t.token('alice'), t.token('bob'), t.token('rita', 'reviewer')]);
  });
  afterAll(() => t.close());

  it('serves public agent cards: both transports at 1.0 and 0.3, streaming, push notifications, a bearer scheme', async () => {
    for (const path of ['/a2a/echo/.well-known/agent-card.json', '/.well-known/agent-card.json']) {
      const res = await fetch(`${t.baseUrl}${path}`, { headers: { 'A2A-Version': '1.0' } });
      expect(res.status).toBe(200);
      const card: Json = await res.json();
      expect(card.supportedInterfaces).toEqual(
        expect.arrayContaining([
          { url: `${t.baseUrl}/a2a/echo/jsonrpc`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
          { url: `${t.baseUrl}/a2a/echo/rest`, protocolBinding: 'HTTP+JSON', protocolVersion: '1.0' },
          { url: `${t.baseUrl}/a2a/echo/jsonrpc`, protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
        ]),
      );
      expect(card.capabilities).toMatchObject({ streaming: true, pushNotifications: true });
      expect(card.securitySchemes.bearer.httpAuthSecurityScheme.scheme).toBe('bearer');
      expect(card.securityRequirements).toEqual([{ schemes: { bearer: {} } }]);
    }
    const legacy: Json = await (await fetch(`${t.baseUrl}/a2a/echo/.well-known/agent-card.json`)).json();
    expect(legacy).toMatchObject({
      protocolVersion: '0.3',
      url: `${t.baseUrl}/a2a/echo/jsonrpc`,
      preferredTransport: 'JSONRPC',
    });
    expect(legacy.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const parrot: Json = await (
      await fetch(`${t.baseUrl}/a2a/parrot/.well-known/agent-card.json`, { headers: { 'A2A-Version': '1.0' } })
    ).json();
    expect(parrot).toMatchObject({
      name: 'Parrot',
      description: expect.stringMatching(/^Another echo agent\. .*"A2A-Version: 1\.0"/),
    });
    expect(parrot.supportedInterfaces[0].url).toBe(`${t.baseUrl}/a2a/parrot/jsonrpc`);
    expect((await fetch(`${t.baseUrl}/a2a/nope/.well-known/agent-card.json`)).status).toBe(404);
  });

  it('starts card URLs at PUBLIC_URL when it is set', async () => {
    const env = { WORKER_ENABLED: 'false', PUBLIC_URL: 'https://agents.example.com/base/' };
    const published = await startTestApp({ db: t.db, env });
    try {
      const card: Json = await (
        await fetch(`${published.baseUrl}/.well-known/agent-card.json`, { headers: { 'A2A-Version': '1.0' } })
      ).json();
      expect(card.supportedInterfaces[0].url).toBe('https://agents.example.com/base/a2a/echo/jsonrpc');
    } finally {
      await published.close();
    }
  });

  it('keeps each agent to its own sessions and tasks', async () => {
    const parrot = await a2aClient(t.baseUrl, 'parrot', alice, 'JSONRPC');
    const echo = await a2aClient(t.baseUrl, 'echo', alice, 'JSONRPC');
    const task = asTask(await parrot.sendMessage(sendRequest(userMessage('polly'))));
    const session = await t.http().get(`/v1/sessions/${task.contextId}`).set(auth(alice));
    expect(session.body.agentId).toBe('parrot');
    await expect(echo.getTask({ tenant: '', id: task.id })).rejects.toBeInstanceOf(TaskNotFoundError);
    await expect(echo.sendMessage(sendRequest(userMessage('x', { contextId: task.contextId })))).rejects.toBeInstanceOf(
      TaskNotFoundError,
    );
  });

  it("only bridges: an instance without a worker answers through another instance's worker, and any instance follows a task", async () => {
    const other = await startTestApp({ db: t.db, env: { WORKER_ENABLED: 'false', AGENTS_FILE: agentsFile } });
    try {
      const viaOther = await a2aClient(other.baseUrl, 'echo', alice, 'JSONRPC');
      const events = await collect(viaOther.sendMessageStream(sendRequest(userMessage('/sleep 200 far away'))));
      expect(isFinal(events)).toBe(true);
      const last = events.at(-1)!.payload!;
      expect(last.$case === 'statusUpdate' && textOf(last.value.status?.message)).toBe(
        'Echo (turn 1): far away\nThis is your first message.',
      );
      const started = asTask(
        await viaOther.sendMessage(sendRequest(userMessage('/sleep 500 elsewhere'), { returnImmediately: true })),
      );
      const here = await a2aClient(t.baseUrl, 'echo', alice, 'HTTP+JSON');
      const followed = await collect(here.resubscribeTask({ tenant: '', id: started.id }));
      expect(isFinal(followed)).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('answers 401 with WWW-Authenticate: Bearer without a valid token, on both transports', async () => {
    const body = { jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id: randomUUID() } };
    const calls = [
      () =>
        fetch(`${t.baseUrl}/a2a/echo/jsonrpc`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'A2A-Version': '1.0' },
          body: JSON.stringify(body),
        }),
      () => fetch(`${t.baseUrl}/a2a/echo/rest/tasks/${randomUUID()}`, { headers: { 'A2A-Version': '1.0' } }),
      () =>
        fetch(`${t.baseUrl}/a2a/echo/rest/tasks`, {
          headers: { 'A2A-Version': '1.0', Authorization: 'Bearer ast_wrong' },
        }),
    ];
    for (const [index, call] of calls.entries()) {
      const res = await call();
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const body: Json = await res.json();
      // JSON-RPC answers with a JSON-RPC error whose data is the service's error body.
      expect(index === 0 ? body.error.data : body).toMatchObject({ statusCode: 401, code: 'auth/unauthorized' });
    }
    const noToken = await a2aClient(t.baseUrl, 'echo', '', 'JSONRPC');
    await expect(noToken.sendMessage(sendRequest(userMessage('hi')))).rejects.toThrow(/401/);
  });

  describe.each<[Binding]>([['JSONRPC'], ['HTTP+JSON']])('over %s', (binding) => {
    let client: Client;

    beforeAll(async () => {
      client = await a2aClient(t.baseUrl, 'echo', alice, binding);
    });

    it('sends (blocking): a new session is opened whose id is the contextId, stored like REST traffic', async () => {
      const task = asTask(await client.sendMessage(sendRequest(userMessage('hello'))));
      expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(textOf(task.status?.message)).toBe('Echo (turn 1): hello\nThis is your first message.');
      const session = await t.http().get(`/v1/sessions/${task.contextId}`).set(auth(alice));
      expect(session.status).toBe(200);
      expect(session.body).toMatchObject({ id: task.contextId, agentId: 'echo', userId: 'alice', turnCount: 1 });
      const rest = await t.http().get(`/v1/tasks/${task.id}`).set(auth(alice));
      expect(rest.body).toMatchObject({ id: task.id, sessionId: task.contextId, status: 'completed' });

      const second = asTask(await client.sendMessage(sendRequest(userMessage('again', { contextId: task.contextId }))));
      expect(second.contextId).toBe(task.contextId);
      expect(textOf(second.status?.message)).toBe('Echo (turn 2): again\nBefore that you said: "hello".');
    });

    it('stores data and file parts as the REST API stores them', async () => {
      const parts = [
        textPart('see attached'),
        {
          content: { $case: 'data' as const, value: { order: 42, items: ['a'] } },
          metadata: undefined,
          filename: '',
          mediaType: 'application/json',
        },
        {
          content: { $case: 'url' as const, value: 'https://example.com/a.pdf' },
          metadata: undefined,
          filename: 'a.pdf',
          mediaType: 'application/pdf',
        },
      ];
      const task = asTask(await client.sendMessage(sendRequest(userMessage('', { parts }))));
      const events = await t.http().get(`/v1/sessions/${task.contextId}/events`).set(auth(alice));
      expect(events.body.data[0].parts).toEqual([
        { kind: 'text', text: 'see attached' },
        { kind: 'data', data: { order: 42, items: ['a'] } },
        { kind: 'file', file: { name: 'a.pdf', mimeType: 'application/pdf', uri: 'https://example.com/a.pdf' } },
      ]);
      const back = await client.getTask({ tenant: '', id: task.id });
      expect(back.history[0].parts[1].content).toEqual({ $case: 'data', value: { order: 42, items: ['a'] } });
    });

    it('streams a send: the task, working updates with the text as it comes, then completed with the answer', async () => {
      const events = await collect(client.sendMessageStream(sendRequest(userMessage('stream this please'))));
      const first = events[0].payload;
      expect(first?.$case).toBe('task');
      if (first?.$case === 'task') {
        expect(first.value.status?.state).toBe(TaskState.TASK_STATE_SUBMITTED);
        expect(first.value.history.map(textOf)).toEqual(['stream this please']);
      }
      expect(statusesOf(events)).toContain(TaskState.TASK_STATE_WORKING);
      expect(isFinal(events)).toBe(true);
      const last = events.at(-1)!.payload!;
      const answer = last.$case === 'statusUpdate' ? textOf(last.value.status?.message) : '';
      expect(answer).toBe('Echo (turn 1): stream this please\nThis is your first message.');
      const deltas = events.flatMap((e) =>
        e.payload?.$case === 'statusUpdate' && e.payload.value.metadata?.delta
          ? [textOf(e.payload.value.status?.message)]
          : [],
      );
      expect(deltas.join('')).toBe(answer);
    });

    it("returns the agent's artifacts on the A2A task", async () => {
      const task = asTask(await client.sendMessage(sendRequest(userMessage('/artifact report Quarterly numbers'))));
      const back = await client.getTask({ tenant: '', id: task.id });
      expect(back.artifacts).toEqual([
        expect.objectContaining({
          name: 'report',
          artifactId: expect.any(String),
          parts: [expect.objectContaining({ content: { $case: 'text', value: 'Quarterly numbers' } })],
        }),
      ]);
    });

    it('gets a task with historyLength, and lists tasks with filters and pages', async () => {
      const first = asTask(await client.sendMessage(sendRequest(userMessage('one'))));
      const second = asTask(await client.sendMessage(sendRequest(userMessage('two', { contextId: first.contextId }))));
      const full = await client.getTask({ tenant: '', id: second.id });
      expect(full.history.map((m) => m.role)).toEqual([Role.ROLE_USER, Role.ROLE_AGENT]);
      const trimmed = await client.getTask({ tenant: '', id: second.id, historyLength: 1 });
      expect(trimmed.history).toHaveLength(1);
      expect(textOf(trimmed.history[0])).toContain('Echo (turn 2): two');
      expect((await client.getTask({ tenant: '', id: second.id, historyLength: 0 })).history).toEqual([]);

      const listing = {
        tenant: '',
        contextId: first.contextId,
        status: TaskState.TASK_STATE_UNSPECIFIED,
        pageToken: '',
        statusTimestampAfter: undefined,
      };
      const page1 = await client.listTasks({ ...listing, pageSize: 1 });
      expect(page1.totalSize).toBe(2);
      expect(page1.tasks.map((task) => task.id)).toEqual([second.id]);
      expect(page1.nextPageToken).not.toBe('');
      const page2 = await client.listTasks({ ...listing, pageSize: 1, pageToken: page1.nextPageToken });
      expect(page2.tasks.map((task) => task.id)).toEqual([first.id]);
      expect(page2.nextPageToken).toBe('');
      const completed = await client.listTasks({
        ...listing,
        status: TaskState.TASK_STATE_COMPLETED,
        pageSize: 10,
        historyLength: 0,
      });
      expect(completed.tasks).toHaveLength(2);
      expect(completed.tasks[0].history).toEqual([]);
      expect(textOf(completed.tasks[0].status?.message)).toContain('two');
      const none = await client.listTasks({ ...listing, status: TaskState.TASK_STATE_FAILED, pageSize: 10 });
      expect(none.tasks).toEqual([]);
    });

    it('cancels a running task through the task service; a second cancel is "not cancelable"', async () => {
      const started = asTask(
        await client.sendMessage(sendRequest(userMessage('/sleep 3000 x'), { returnImmediately: true })),
      );
      expect([TaskState.TASK_STATE_SUBMITTED, TaskState.TASK_STATE_WORKING]).toContain(started.status?.state);
      const canceled = await client.cancelTask({ tenant: '', id: started.id, metadata: undefined });
      expect(canceled.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
      const rest = await t.http().get(`/v1/tasks/${started.id}`).set(auth(alice));
      expect(rest.body.status).toBe('canceled');
      const again = client.cancelTask({ tenant: '', id: started.id, metadata: undefined });
      await expect(again).rejects.toBeInstanceOf(TaskNotCancelableError);
      await expect(client.cancelTask({ tenant: '', id: randomUUID(), metadata: undefined })).rejects.toBeInstanceOf(
        TaskNotFoundError,
      );
    });

    it('resubscribes after a dropped stream and receives the rest, ending with the answer', async () => {
      const dropped = await collect(
        client.sendMessageStream(sendRequest(userMessage('/sleep 800 hi'))),
        (events) => events.length >= 1,
      );
      const first = dropped[0].payload;
      if (first?.$case !== 'task') throw new Error('the stream did not start with the task');
      const events = await collect(client.resubscribeTask({ tenant: '', id: first.value.id }));
      const snapshot = events[0].payload;
      expect(snapshot?.$case).toBe('task');
      if (snapshot?.$case === 'task') expect(textOf(snapshot.value.history[0])).toBe('/sleep 800 hi');
      expect(isFinal(events)).toBe(true);
      const last = events.at(-1)!.payload!;
      expect(last.$case === 'statusUpdate' && textOf(last.value.status?.message)).toBe(
        'Echo (turn 1): hi\nThis is your first message.',
      );
      await expect(collect(client.resubscribeTask({ tenant: '', id: first.value.id }))).rejects.toBeInstanceOf(
        UnsupportedOperationError,
      );
    });

    it('continues an input-required task with the same taskId; REST shows both turns on that task', async () => {
      const asked = asTask(await client.sendMessage(sendRequest(userMessage('/ask What?'))));
      expect(asked.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
      expect(textOf(asked.status?.message)).toBe('What?');
      const reply = userMessage('Blue', { taskId: asked.id, contextId: asked.contextId });
      const done = asTask(await client.sendMessage(sendRequest(reply)));
      expect(done.id).toBe(asked.id);
      expect(done.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(textOf(done.status?.message)).toBe('Echo (turn 2): Blue\nBefore that you said: "/ask What?".');
      expect(done.history.map(textOf)).toEqual(['/ask What?', 'What?', 'Blue', textOf(done.status?.message)]);

      const history = await t.http().get(`/v1/sessions/${asked.contextId}/events`).set(auth(alice));
      const messages = history.body.data.filter((e: { type: string }) => e.type === 'message');
      expect(messages.map((e: { role: string }) => e.role)).toEqual(['user', 'agent', 'user', 'agent']);
      expect(new Set(messages.map((e: { taskId: string }) => e.taskId))).toEqual(new Set([asked.id]));
      const rest = await t.http().get(`/v1/tasks/${asked.id}`).set(auth(alice));
      expect(rest.body).toMatchObject({
        status: 'completed',
        responseEventId: messages[3].id,
        triggerEventId: messages[2].id,
      });
      const late = client.sendMessage(sendRequest(userMessage('more', { taskId: asked.id })));
      await expect(late).rejects.toBeInstanceOf(UnsupportedOperationError);
    });

    it('continues an input-required task over a stream too', async () => {
      const asking = await collect(client.sendMessageStream(sendRequest(userMessage('/ask Which one?'))));
      const asked = asking.at(-1)!.payload;
      if (asked?.$case !== 'statusUpdate') throw new Error('the stream did not end with a status update');
      expect(asked.value.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
      const reply = userMessage('The red one', { taskId: asked.value.taskId });
      const events = await collect(client.sendMessageStream(sendRequest(reply)));
      const first = events[0].payload;
      expect(first?.$case === 'task' && first.value.history.map(textOf)).toEqual([
        '/ask Which one?',
        'Which one?',
        'The red one',
      ]);
      expect(isFinal(events)).toBe(true);
      const last = events.at(-1)!.payload!;
      expect(last.$case === 'statusUpdate' && last.value.taskId).toBe(asked.value.taskId);
    });

    it('reports invalid params, and a push URL on a private address, with the protocol errors', async () => {
      await expect(client.sendMessage(sendRequest(userMessage('x', { parts: [] })))).rejects.toBeInstanceOf(
        RequestMalformedError,
      );
      await expect(client.getTask({ tenant: '', id: 'not-a-task' })).rejects.toBeInstanceOf(TaskNotFoundError);
      const task = asTask(await client.sendMessage(sendRequest(userMessage('push?'))));
      const config = {
        tenant: '',
        id: '',
        taskId: task.id,
        url: 'http://127.0.0.1:9/hook',
        token: '',
        authentication: undefined,
      };
      // WEBHOOK_ALLOW_PRIVATE is not set here: loopback, private and link-local receivers are refused
      const push = Promise.resolve().then(() => client.createTaskPushNotificationConfig(config));
      await expect(push).rejects.toBeInstanceOf(RequestMalformedError);
      // sent with a message, a refused push URL stores nothing
      const withPush = sendRequest(userMessage('with a private push URL', { contextId: task.contextId }));
      withPush.configuration!.taskPushNotificationConfig = config;
      await expect(client.sendMessage(withPush)).rejects.toBeInstanceOf(RequestMalformedError);
      const session = await t.http().get(`/v1/sessions/${task.contextId}`).set(auth(alice)).expect(200);
      expect(session.body.turnCount).toBe(1);
      await expect(
        client.listTaskPushNotificationConfig({ tenant: '', taskId: task.id, pageSize: 0, pageToken: '' }),
      ).resolves.toMatchObject({ configs: [] });
    });

    it("treats other users' tasks and sessions as not found", async () => {
      const mine = asTask(await client.sendMessage(sendRequest(userMessage('private'))));
      const other = await a2aClient(t.baseUrl, 'echo', bob, binding);
      await expect(other.getTask({ tenant: '', id: mine.id })).rejects.toBeInstanceOf(TaskNotFoundError);
      await expect(other.cancelTask({ tenant: '', id: mine.id, metadata: undefined })).rejects.toBeInstanceOf(
        TaskNotFoundError,
      );
      await expect(
        other.sendMessage(sendRequest(userMessage('hijack', { contextId: mine.contextId }))),
      ).rejects.toBeInstanceOf(TaskNotFoundError);
      await expect(
        other.sendMessage(sendRequest(userMessage('unknown', { contextId: randomUUID() }))),
      ).rejects.toBeInstanceOf(TaskNotFoundError);
      const asked = asTask(await client.sendMessage(sendRequest(userMessage('/ask Secret?'))));
      await expect(other.sendMessage(sendRequest(userMessage('answer', { taskId: asked.id })))).rejects.toBeInstanceOf(
        TaskNotFoundError,
      );
      await expect(other.resubscribeTask({ tenant: '', id: asked.id }).next()).rejects.toBeInstanceOf(
        TaskNotFoundError,
      );
      const listed = await other.listTasks({
        tenant: '',
        contextId: '',
        status: 0,
        pageToken: '',
        statusTimestampAfter: undefined,
        pageSize: 100,
      });
      expect(listed.tasks.map((task: Task) => task.id)).not.toContain(mine.id);
    });

    it('lets reviewers read (get, list, resubscribe) but not send or cancel (HTTP 403)', async () => {
      const mine = asTask(await client.sendMessage(sendRequest(userMessage('reviewed'))));
      const reviewer = await a2aClient(t.baseUrl, 'echo', rita, binding);
      expect((await reviewer.getTask({ tenant: '', id: mine.id })).id).toBe(mine.id);
      const listed = await reviewer.listTasks({
        tenant: '',
        contextId: mine.contextId,
        status: 0,
        pageToken: '',
        statusTimestampAfter: undefined,
        pageSize: 10,
      });
      expect(listed.tasks.map((task: Task) => task.id)).toEqual([mine.id]);
      const running = asTask(
        await client.sendMessage(sendRequest(userMessage('/sleep 400 watched'), { returnImmediately: true })),
      );
      const watched = await collect(reviewer.resubscribeTask({ tenant: '', id: running.id }));
      expect(isFinal(watched)).toBe(true);
      await expect(reviewer.sendMessage(sendRequest(userMessage('nope')))).rejects.toThrow(/403/);
      await expect(reviewer.cancelTask({ tenant: '', id: mine.id, metadata: undefined })).rejects.toThrow(/403/);
    });
  });

  it('answers push notification configuration of an unknown task, or for a private address, on the wire', async () => {
    const headers = { 'Content-Type': 'application/json', 'A2A-Version': '1.0', ...auth(alice) };
    const taskId = randomUUID();
    const rpc = await fetch(`${t.baseUrl}/a2a/echo/jsonrpc`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'CreateTaskPushNotificationConfig',
        params: { taskId, url: 'https://example.com/hook' },
      }),
    });
    expect(((await rpc.json()) as Json).error).toMatchObject({ code: -32001 });
    const rest = await fetch(`${t.baseUrl}/a2a/echo/rest/tasks/${taskId}/pushNotificationConfigs`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ url: 'https://example.com/hook' }),
    });
    expect(rest.status).toBe(404);
    const client = await a2aClient(t.baseUrl, 'echo', alice, 'JSONRPC');
    const task = asTask(await client.sendMessage(sendRequest(userMessage('push me'))));
    for (const url of ['http://169.254.169.254/latest/meta-data', 'http://10.1.2.3/hook', 'http://[::1]:8080/x']) {
      const refused = await fetch(`${t.baseUrl}/a2a/echo/jsonrpc`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 2,
          method: 'CreateTaskPushNotificationConfig',
          params: { taskId: task.id, url },
        }),
      });
      const error = ((await refused.json()) as Json).error;
      expect(error).toMatchObject({ code: -32602 });
      expect(error.message).toMatch(/webhook URL is refused/);
    }
  });

  it('accepts a v0.3 client through the compatibility layer: message/send, message/stream, tasks/get, tasks/resubscribe, tasks/cancel', async () => {
    const legacy = new LegacyJsonRpcTransport({
      endpoint: `${t.baseUrl}/a2a/echo/jsonrpc`,
      fetchImpl: bearerFetch(alice),
    });
    const sent = asTask(await legacy.sendMessage(sendRequest(userMessage('from the past'))));
    expect(sent.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(textOf(sent.status?.message)).toBe('Echo (turn 1): from the past\nThis is your first message.');
    const got = await legacy.getTask({ tenant: '', id: sent.id, historyLength: 1 });
    expect(got.history).toHaveLength(1);
    const streamed = await collect(
      legacy.sendMessageStream(sendRequest(userMessage('streamed', { contextId: sent.contextId }))),
    );
    expect(isFinal(streamed)).toBe(true);
    const slow = asTask(
      await legacy.sendMessage(sendRequest(userMessage('/sleep 600 later'), { returnImmediately: true })),
    );
    expect(isFinal(await collect(legacy.resubscribeTask({ tenant: '', id: slow.id })))).toBe(true);
    const doomed = asTask(
      await legacy.sendMessage(sendRequest(userMessage('/sleep 3000 never'), { returnImmediately: true })),
    );
    expect((await legacy.cancelTask({ tenant: '', id: doomed.id, metadata: undefined })).status?.state).toBe(
      TaskState.TASK_STATE_CANCELED,
    );

    // The same over the wire, in v0.3 shapes (no A2A-Version header means 0.3).
    const res = await fetch(`${t.baseUrl}/a2a/echo/jsonrpc`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...auth(alice) },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'message/send',
        params: {
          message: {
            kind: 'message',
            messageId: 'm-legacy-1',
            role: 'user',
            parts: [{ kind: 'text', text: 'raw' }],
            contextId: sent.contextId,
          },
        },
      }),
    });
    const body: Json = await res.json();
    expect(body.result).toMatchObject({ kind: 'task', contextId: sent.contextId, status: { state: 'completed' } });
    expect(body.result.history[0]).toMatchObject({ messageId: 'm-legacy-1', parts: [{ kind: 'text', text: 'raw' }] });
    const get = await fetch(`${t.baseUrl}/a2a/echo/jsonrpc`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...auth(alice) },
      body: JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'tasks/get', params: { id: randomUUID() } }),
    });
    expect(((await get.json()) as Json).error).toMatchObject({ code: -32001 });
    const byReviewer = await fetch(`${t.baseUrl}/a2a/echo/jsonrpc`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...auth(rita) },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 9,
        method: 'message/send',
        params: { message: { kind: 'message', messageId: 'm-r', role: 'user', parts: [{ kind: 'text', text: 'x' }] } },
      }),
    });
    expect(byReviewer.status).toBe(403);
  });
});
