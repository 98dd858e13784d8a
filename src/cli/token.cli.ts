import { parseArgs } from 'node:util';
import { ROLES, type Role } from '../identity/auth/auth-context.js';
import { TokensService } from '../identity/tokens/tokens.service.js';
import { AgentCatalog } from '../platform/config/agent-config.js';
import { runCli } from './run-cli.js';

const USAGE = `usage:
  npm run token -- create --user <userId> [--role user|reviewer|admin] [--name <label>] [--ttl <seconds>]
  npm run token -- create --role agent --agent <agentId> [--agent <agentId> …] [--user <userId>] [--name …] [--ttl …]
  npm run token -- revoke <tokenPrefix or id>
  npm run token -- list [--user <userId>]`;

const OPTIONS = {
  user: { type: 'string' },
  role: { type: 'string' },
  name: { type: 'string' },
  ttl: { type: 'string' },
  agent: { type: 'string', multiple: true },
} as const;

async function run(argv: string[], tokens: TokensService, catalog: AgentCatalog): Promise<number> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  const [command, target] = positionals;
  const role = (values.role ?? 'user') as Role;
  // an agent token acts for its agents, not for a person: its user id defaults to the first agent's
  const userId = values.user ?? (role === 'agent' && values.agent?.length ? `agent:${values.agent[0]}` : undefined);
  if (command === 'create' && userId) {
    if (!ROLES.includes(role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
    const ttlSeconds = values.ttl ? Number(values.ttl) : undefined;
    if (ttlSeconds !== undefined && !(Number.isInteger(ttlSeconds) && ttlSeconds > 0))
      throw new Error('--ttl must be a positive integer');
    const agentIds = values.agent ?? [];
    const { token, record } = await tokens.issue({ userId, role, name: values.name, ttlSeconds, agentIds });
    const bound = record.agentIds.length ? ` bound to agents ${record.agentIds.join(', ')}` : '';
    process.stderr.write(
      `created ${record.role} token ${record.tokenPrefix}… (id ${record.id}) for user ${record.userId}${bound}; it is shown only once:\n`,
    );
    for (const id of agentIds.filter((agentId) => !catalog.isExternal(agentId))) {
      process.stderr.write(`warning: "${id}" is not an agent of kind external in this configuration (AGENTS_FILE)\n`);
    }
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
      const agents = t.agentIds.length ? `agents=${t.agentIds.join(',')}` : '';
      process.stdout.write(
        `${t.id}  ${t.tokenPrefix}…  ${t.userId}  ${t.role}  ${state}  ${used}  ${t.name ?? ''}  ${agents}\n`,
      );
    }
    return 0;
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

void runCli((app) => run(process.argv.slice(2), app.get(TokensService), app.get(AgentCatalog)));
