import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../platform/http/openapi/api-errors.decorator.js';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { CurrentAuth } from '../../identity/auth/current-auth.decorator.js';
import { AfterSeqQuery } from '../../platform/http/validation/query.dto.js';
import { UuidParam } from '../../platform/http/validation/validation.pipe.js';
import { AuditRead } from '../../identity/access-log/audit-read.decorator.js';
import { TaskDto, TaskPageDto, toArtifactDto, toTaskDto } from './dto/task.dto.js';
import { TasksService } from '../tasks.service.js';
import { AgentAccess } from '../../identity/auth/agent-access.decorator.js';

@ApiTags('tasks')
@ApiBearerAuth()
@ApiErrors(400, 401, 429, 503)
@Controller('v1')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @AgentAccess()
  @Get('sessions/:id/tasks')
  @AuditRead('session.tasks', { name: 'id', kind: 'session' })
  @ApiOperation({ summary: "A session's tasks in turn order" })
  @ApiOkResponse({ type: TaskPageDto })
  @ApiErrors(404)
  async listForSession(
    @CurrentAuth() auth: AuthContext,
    @Param('id', UuidParam) id: string,
    @Query() query: AfterSeqQuery,
  ): Promise<TaskPageDto> {
    const page = await this.tasks.listForSession(auth, id, query.after, query.limit);
    return { data: page.data.map(toTaskDto), nextAfter: page.nextAfter };
  }

  @AgentAccess()
  @Get('tasks/:id')
  @AuditRead('task.read', { name: 'id', kind: 'task' })
  @ApiOperation({ summary: 'One task, with its artifacts' })
  @ApiOkResponse({ type: TaskDto })
  @ApiErrors(404)
  async get(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string): Promise<TaskDto> {
    const view = await this.tasks.view(auth, id);
    return { ...toTaskDto(view.task), artifacts: view.artifacts.map(toArtifactDto) };
  }

  @Post('tasks/:id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a task that has not finished (409 if it has)' })
  @ApiOkResponse({ type: TaskDto })
  @ApiErrors(403, 404, 409)
  async cancel(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string): Promise<TaskDto> {
    return toTaskDto(await this.tasks.cancel(auth, id));
  }
}
