import type { ContentObject } from '@nestjs/swagger';

/** A Server-Sent Events response (see sse.ts): `event:`/`id:`/`data:` records and heartbeat comments. */
export const SSE_CONTENT: ContentObject = {
  'text/event-stream': {
    schema: { type: 'string', description: 'records of `event: <name>`, `id: <seq>`, `data: <JSON>`' },
  },
};
