import { Client } from 'pg';

/**
 * Distributing the tables with Citus (`npm run db:distribute`, docs/scaling.md#citus). Every conversation table is
 * keyed by its session, so sessions (by id), events and tasks (by session_id) are co-located: a session's rows sit
 * on one node and every statement about one session, the append function included, runs there. Small tables read
 * on every request are reference tables, copied to every node. The logs stay on the coordinator. Idempotent: what
 * is already distributed is skipped, so it can be run again after a failure or a new migration.
 */
export const REFERENCE_TABLES = ['users', 'api_tokens'];
export const DISTRIBUTED_TABLES: { table: string; column: string }[] = [
  { table: 'sessions', column: 'id' },
  { table: 'events', column: 'session_id' },
  { table: 'tasks', column: 'session_id' },
];
/** a session's parent is usually on another shard: no foreign key between them (the service checks parents) */
const DROPPED_CONSTRAINTS = [{ table: 'sessions', name: 'sessions_parent_id_fkey' }];
/** Functions whose first argument is the session: each call runs on its session's node. */
const SESSION_FUNCTIONS = [
  'append_event(uuid, uuid, text, text, jsonb, jsonb, uuid, uuid, text, integer, integer, numeric, text, boolean, text[], text[], boolean, uuid, boolean)',
  'settle_task(uuid, uuid, text, text, text[], boolean, text, uuid, text, jsonb, jsonb, text, integer, integer, numeric, jsonb, jsonb, text[], text[])',
];

export class CitusMissingError extends Error {}

type Log = (line: string) => void;

export async function distribute(url: string, log: Log): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const citus = await client.query<{ extversion: string }>(
      "SELECT extversion FROM pg_extension WHERE extname = 'citus'",
    );
    if (citus.rowCount === 0) {
      throw new CitusMissingError(
        'the citus extension is not installed in this database, so there is nothing to distribute: the service runs ' +
          'on plain PostgreSQL as it is. To distribute by session: install Citus on the server, run ' +
          "CREATE EXTENSION citus, add the worker nodes (SELECT citus_add_node('host', 5432)), then run " +
          'npm run db:distribute again (docs/scaling.md, "Citus").',
      );
    }
    log(`citus ${citus.rows[0].extversion} found`);
    // the append-only triggers on events only raise errors about their own shard's rows
    await client.query('SET citus.enable_unsafe_triggers TO on');
    await distributeTables(client, log);
    for (const fn of SESSION_FUNCTIONS) {
      await client.query(
        `SELECT create_distributed_function($1::regprocedure::text, '$1', colocate_with := 'sessions')`,
        [fn],
      );
      log(`${fn.slice(0, fn.indexOf('('))} runs on the node of its session`);
    }
    log('run the service with APPEND_BATCH_MAX=1: a batch of messages (append_events) spans nodes');
  } finally {
    await client.end();
  }
}

async function distributed(client: Client, table: string): Promise<boolean> {
  const rows = await client.query('SELECT 1 FROM pg_dist_partition WHERE logicalrelid = $1::regclass', [table]);
  return (rows.rowCount ?? 0) > 0;
}

async function distributeTables(client: Client, log: Log): Promise<void> {
  for (const table of REFERENCE_TABLES) {
    if (await distributed(client, table)) continue;
    await client.query('SELECT create_reference_table($1)', [table]);
    log(`${table}: reference table`);
  }
  for (const { table, name } of DROPPED_CONSTRAINTS) {
    await client.query(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${name}`);
  }
  // events and tasks reference each other: their keys are set aside while they are distributed, then restored
  const keys = await client.query<{ table: string; name: string; definition: string }>(
    `SELECT conrelid::regclass::text AS table, conname AS name, pg_get_constraintdef(oid) AS definition
     FROM pg_constraint WHERE contype = 'f' AND conrelid IN ('events'::regclass, 'tasks'::regclass)
       AND confrelid IN ('events'::regclass, 'tasks'::regclass)`,
  );
  const pending = [];
  for (const t of DISTRIBUTED_TABLES) if (!(await distributed(client, t.table))) pending.push(t);
  if (pending.length === 0) return log('sessions, events and tasks are already distributed');
  for (const key of keys.rows) await client.query(`ALTER TABLE ${key.table} DROP CONSTRAINT ${key.name}`);
  for (const { table, column } of pending) {
    const colocate = table === 'sessions' ? 'default' : 'sessions';
    await client.query('SELECT create_distributed_table($1, $2, colocate_with := $3)', [table, column, colocate]);
    log(`${table}: distributed by ${column}`);
  }
  for (const key of keys.rows) {
    await client.query(`ALTER TABLE ${key.table} ADD CONSTRAINT ${key.name} ${key.definition}`);
  }
}
