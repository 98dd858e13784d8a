import type { Prisma } from '../../generated/prisma/client.js';

/**
 * One statement straight on the primary's `pg` pool, without the Prisma client's own work around each query
 * (measured at about 0.15 ms of CPU a statement: a third of a one-statement request's database cost). Only for
 * single hot statements outside transactions; everything else goes through Prisma. Rows come as `pg` parses
 * them (int8 and numeric as strings, timestamps as Dates, json as objects, bytea as Buffers), so mappers must
 * accept both shapes. Driver errors are `pg` errors; platform/errors maps them like Prisma's.
 */
export abstract class DirectSql {
  abstract queryDirect<T>(statement: Prisma.Sql): Promise<T[]>;
}
