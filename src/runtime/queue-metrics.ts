import { Injectable, OnModuleInit } from '@nestjs/common';
import { MetricsService } from '../platform/metrics/metrics.service.js';
import { QueueRepository } from './queue.repository.js';

/** Queue depth and the oldest queued task's age, read from the database when Prometheus scrapes. */
@Injectable()
export class QueueMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly queue: QueueRepository,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge('tasks_open', 'Unfinished tasks by status (all instances)', ['status'], async (set) => {
      const { byStatus } = await this.queue.depth();
      for (const [status, count] of Object.entries(byStatus)) set(count, { status });
    });
    this.metrics.gauge(
      'task_queue_oldest_age_seconds',
      'Age of the oldest task waiting to be claimed',
      [],
      async (set) => {
        set((await this.queue.depth()).oldestQueuedSeconds);
      },
    );
  }
}
