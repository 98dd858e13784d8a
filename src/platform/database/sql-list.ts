import { Prisma } from '../../generated/prisma/client.js';

/** A literal SQL list of constants (never input), so the planner can match partial indexes on them. */
export function sqlList(values: readonly string[]): Prisma.Sql {
  return Prisma.raw(values.map((value) => `'${value.replace(/'/g, "''")}'`).join(', '));
}
