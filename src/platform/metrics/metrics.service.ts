import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Every Prometheus instrument of the service, in one registry per application (so several instances in one
 * process, as in the tests, never collide). Features record through these fields; values read from elsewhere
 * at scrape time (queue depth, pool usage, open streams) are added with `gauge`.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });

  readonly eventsAppended = new Counter({
    name: 'session_events_appended_total',
    help: 'Events appended, by role',
    labelNames: ['role'] as const,
    registers: [this.registry],
  });

  readonly tasksSettled = new Counter({
    name: 'tasks_settled_total',
    help: 'Task runs settled by this instance, by agent and outcome',
    labelNames: ['agent', 'status'] as const,
    registers: [this.registry],
  });

  readonly idleCollections = new Counter({
    name: 'idle_gc_total',
    help: 'Full heap collections run because the process was idle with a heap grown by earlier load',
    registers: [this.registry],
  });

  readonly idleCollectedBytes = new Counter({
    name: 'idle_gc_collected_bytes_total',
    help: 'Heap bytes those idle collections freed',
    registers: [this.registry],
  });

  readonly agentSteps = new Counter({
    name: 'agent_steps_total',
    help: 'Steps of agent runs (tool calls, tool results, intermediate messages), by agent, kind and whether stored',
    labelNames: ['agent', 'kind', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly agentCallDuration = new Histogram({
    name: 'agent_call_duration_seconds',
    help: 'Agent calls (retries included), by agent and outcome',
    labelNames: ['agent', 'outcome'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });

  readonly agentCallErrors = new Counter({
    name: 'agent_call_errors_total',
    help: 'Agent calls that failed, by agent',
    labelNames: ['agent'] as const,
    registers: [this.registry],
  });

  readonly webhookDeliveries = new Counter({
    name: 'webhook_deliveries_total',
    help: 'Webhook and A2A push-notification delivery attempts, by outcome (delivered, retry, failed, refused)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly notificationLag = new Histogram({
    name: 'notification_lag_seconds',
    help: "Time from NOTIFY to delivery, measured on the listener's own self-check pings",
    buckets: SECONDS,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** A gauge whose values are read when Prometheus scrapes (e.g. from the database or a pool). */
  gauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    read: (set: (value: number, labels?: Partial<Record<L, string>>) => void) => Promise<void> | void,
  ): void {
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        await read((value, labels) => (labels ? this.set(labels, value) : this.set(value)));
      },
    });
  }

  /** Times every HTTP request by its route pattern (not its path, so ids do not explode the label set). */
  readonly httpMiddleware = (req: Request, res: Response, next: NextFunction): void => {
    const stop = this.httpDuration.startTimer();
    res.once('finish', () => {
      const route = req.route ? `${req.baseUrl}${String((req.route as { path: unknown }).path)}` : 'unmatched';
      stop({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
