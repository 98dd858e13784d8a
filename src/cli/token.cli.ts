import { parseArgs } from 'node:util';
import { ROLES, type Role } from '../identity/auth/auth-context.js';
import { TokensService } from '../identity/tokens/tokens.service.js';
import { runCli } from './run-cli.js';

const USAGE = `usage:
  npm run token -- create --user <userId> [--role user|reviewer|admin] [--name <label>] [--ttl <seconds>]
  npm run token -- revoke <tokenPrefix or id>
  npm run token -- list [--user <userId>]`;

async function run(argv: string[], tokens: TokensService): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { user: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' }, ttl: { type: 'string' } },
  });
  const [command, target] = positionals;
  if (command === 'create' && values.user) {
    const role = (values.role ?? 'user') as Role;
    if (!ROLES.includes(role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
    const ttlSeconds = values.ttl ? Number(values.ttl) : undefined;
    if (ttlSeconds !== undefined && !(Number.isInteger(ttlSeconds) && ttlSeconds > 0))
      throw new Error('--ttl must be a positive integer');
    const { token, record } = await tokens.issue({ userId: values.user, role, name: values.name, ttlSeconds });
    process.stderr.write(
      `created ${record.role} token ${record.tokenPrefix}… (id ${record.id}) for user ${record.userId}; it is shown only once:\n`,
    );
    process.stdout.write(`${token}\n`);
    return 0;
  }
  if (command === 'revoke' && target) {
    const revoked = await tokens.revoke(target);
    if (revoked.length === 0) {
      process.stderr.write(`no active token matches ${target}\n`);
      return 1;
    }
    for (const t of revoked) process.stdout.write(`revoked ${t.tokenPrefix}… (id ${t.id}, user ${t.userId})\n`);
    return 0;
  }
  if (command === 'list') {
    for (const t of await tokens.list(values.user)) {
      const state = t.revokedAt ? 'revoked' : t.expiresAt && t.expiresAt < new Date() ? 'expired' : 'active';
      const used = t.lastUsedAt ? `used ${t.lastUsedAt.toISOString()}` : 'never used';
      process.stdout.write(`${t.id}  ${t.tokenPrefix}…  ${t.userId}  ${t.role}  ${state}  ${used}  ${t.name ?? ''}\n`);
    }
    return 0;
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

void runCli((app) => run(process.argv.slice(2), app.get(TokensService)));
