import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppConfig } from '../../src/platform/config/app-config.js';
import { EMBEDDED_DATABASE_NAME } from '../../src/platform/database/database-connection.js';
import { EmbeddedDatabase } from '../../src/platform/database/embedded-database.js';

describe('the documented connection string of the embedded database', () => {
  const config = AppConfig.fromEnv({});
  const url = new EmbeddedDatabase({ ...config.database.embedded, database: EMBEDDED_DATABASE_NAME }).url;

  it('is postgres:postgres on 127.0.0.1:54329, database agent_sessions, by default', () => {
    expect(url).toBe('postgresql://postgres:postgres@127.0.0.1:54329/agent_sessions');
  });

  it.each(['README.md', 'docs/sql.md'])('is the one %s gives for psql', (file) => {
    expect(readFileSync(resolve(__dirname, '..', '..', file), 'utf8')).toContain(`psql ${url}`);
  });
});
