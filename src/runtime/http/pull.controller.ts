import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { toEventDto } from '../../conversation/http/dto/event.dto.js';
import { toSessionDto } from '../../conversation/http/dto/session.dto.js';
import { toTaskDto } from '../../conversation/http/dto/task.dto.js';
import { AgentAccess } from '../../identity/auth/agent-access.decorator.js';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { CurrentAuth } from '../../identity/auth/current-auth.decorator.js';
import { ApiErrors } from '../../platform/http/openapi/api-errors.decorator.js';
import { UuidParam } from '../../platform/http/validation/validation.pipe.js';
import { PullTasksService, type PullClaim } from '../pull/pull-tasks.service.js';
import {
  ClaimTasksDto,
  HeartbeatDto,
  LeaseDto,
  RecordStepsDto,
  SettledTaskDto,
  StoredStepsDto,
  TaskClaimDto,
  TaskClaimsDto,
  TaskResultDto,
} from './dto/pull.dto.js';

const DEFAULT_WAIT_MS = 20_000;
const DEFAULT_HISTORY = 20;

/** Pull workers of `external` agents (agent tokens only): claim, steps, heartbeat, result. */
@ApiTags('pull workers')
@ApiBearerAuth()
@AgentAccess()
@ApiErrors(400, 401, 403, 404, 413, 429, 503)
@Controller('v1')
export class PullController {
  constructor(private readonly pull: PullTasksService) {}

  @Post('agents/:agentId/tasks/claim')
  @HttpCode(200)
  @ApiOperation({
    summary: "Claim the agent's next tasks (long-poll)",
    description:
      'Waits up to waitMs for a claimable task (one per session at a time, in turn order; tasks whose lease ran out ' +
      'are claimable again with the next attempt). An agent the token is not bound to, or not of kind external, is 404.',
  })
  @ApiOkResponse({ type: TaskClaimsDto })
  async claim(
    @CurrentAuth() auth: AuthContext,
    @Param('agentId') agentId: string,
    @Body() body: ClaimTasksDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TaskClaimsDto> {
    const disconnected = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) disconnected.abort();
    });
    const claims = await this.pull.claim(
      auth,
      agentId,
      {
        waitMs: body.waitMs ?? DEFAULT_WAIT_MS,
        limit: body.limit ?? 1,
        leaseMs: body.leaseMs,
        historyLimit: body.historyLimit ?? DEFAULT_HISTORY,
      },
      disconnected.signal,
    );
    return { claims: claims.map(toClaimDto) };
  }

  @Post('tasks/:id/steps')
  @ApiOperation({ summary: 'Store steps of a claimed task as they happen (only while the lease is held)' })
  @ApiCreatedResponse({ type: StoredStepsDto })
  @ApiErrors(409)
  async steps(
    @CurrentAuth() auth: AuthContext,
    @Param('id', UuidParam) id: string,
    @Body() body: RecordStepsDto,
  ): Promise<StoredStepsDto> {
    const events = await this.pull.recordSteps(auth, id, body.leaseId, body.steps);
    return { events: events.map(toEventDto) };
  }

  @Post('tasks/:id/heartbeat')
  @HttpCode(200)
  @ApiOperation({ summary: "Renew a claimed task's lease" })
  @ApiOkResponse({ type: LeaseDto })
  @ApiErrors(409)
  async heartbeat(
    @CurrentAuth() auth: AuthContext,
    @Param('id', UuidParam) id: string,
    @Body() body: HeartbeatDto,
  ): Promise<LeaseDto> {
    const expiresAt = await this.pull.heartbeat(auth, id, body.leaseId, body.leaseMs);
    return { leaseExpiresAt: expiresAt.toISOString() };
  }

  @Post('tasks/:id/result')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Settle a claimed task: the answer (the turn contract of docs/agents.md), or an error',
    description:
      'Exactly one of parts and error. A retryable error queues the task again until TASK_MAX_ATTEMPTS runs; ' +
      'a lost lease is 409 task/lease_lost and stores nothing.',
  })
  @ApiOkResponse({ type: SettledTaskDto })
  @ApiErrors(409)
  async result(
    @CurrentAuth() auth: AuthContext,
    @Param('id', UuidParam) id: string,
    @Body() body: TaskResultDto,
  ): Promise<SettledTaskDto> {
    return { task: toTaskDto(await this.pull.settle(auth, id, body)) };
  }
}

function toClaimDto(claim: PullClaim): TaskClaimDto {
  return {
    leaseId: claim.leaseId,
    leaseExpiresAt: claim.leaseExpiresAt.toISOString(),
    attempt: claim.task.attempts,
    task: toTaskDto(claim.task),
    trigger: toEventDto(claim.trigger),
    session: toSessionDto(claim.session),
    history: claim.history.map(toEventDto),
  };
}
