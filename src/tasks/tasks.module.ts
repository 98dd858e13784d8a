import { Module } from '@nestjs/common';
import { TaskWaiter } from './task-waiter.service.js';
import { TasksController } from './tasks.controller.js';
import { TasksService } from './tasks.service.js';

@Module({
  controllers: [TasksController],
  providers: [TasksService, TaskWaiter],
  exports: [TasksService, TaskWaiter],
})
export class TasksModule {}
