import type { SchemaObject } from '@nestjs/swagger';

const CHECKS: SchemaObject = {
  type: 'object',
  description: 'by check name (database, migrations, listener): {status: "up" | "down", …}',
  additionalProperties: {
    type: 'object',
    required: ['status'],
    properties: { status: { type: 'string', enum: ['up', 'down'] } },
    additionalProperties: true,
  },
};

/** Terminus's report shape (HealthReport), for the API document. */
export const HEALTH_REPORT_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['status', 'info', 'error', 'details'],
  properties: {
    status: { type: 'string', enum: ['ok', 'error'] },
    info: CHECKS,
    error: CHECKS,
    details: CHECKS,
  },
};

export const LIVENESS_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string', enum: ['ok'] } },
};
