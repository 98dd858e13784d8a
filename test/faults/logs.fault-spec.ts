import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { cliToken, ServiceProcess } from '../helpers/service-process.js';

describe('logs', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase()));
  afterAll(() => db.drop());

  it('carry a request id and never a token, wherever the client put it', async () => {
    const service = await ServiceProcess.start({ DATABASE_URL: db.url, LOG_LEVEL: 'debug' });
    try {
      const token = await cliToken(db.url, 'logger');
      const bad = 'ast_this-is-a-wrong-token-that-must-not-be-logged';
      await fetch(`${service.baseUrl}/v1/sessions`, {
        headers: { Authorization: `Bearer ${token}`, 'X-Request-Id': 'req-123' },
      });
      await fetch(`${service.baseUrl}/v1/sessions?access_token=${token}`);
      await fetch(`${service.baseUrl}/v1/sessions`, { headers: { Authorization: `Bearer ${bad}` } });
      await fetch(`${service.baseUrl}/v1/sessions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ access_token: token }),
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(service.output).toContain('req-123');
      expect(service.output).toContain('access_token=[redacted]');
      expect(service.output).not.toContain(token);
      expect(service.output).not.toContain(token.slice(4, 20));
      expect(service.output).not.toContain(bad);
    } finally {
      await service.stop();
    }
  }, 60_000);
});
