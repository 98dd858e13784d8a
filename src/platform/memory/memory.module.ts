import { Module } from '@nestjs/common';
import { IdleHeapCollector } from './idle-heap.collector.js';

@Module({ providers: [IdleHeapCollector] })
export class MemoryModule {}
