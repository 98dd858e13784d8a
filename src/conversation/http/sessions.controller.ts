import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrors } from '../../platform/http/openapi/api-errors.decorator.js';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { CurrentAuth } from '../../identity/auth/current-auth.decorator.js';
import { UuidParam } from '../../platform/http/validation/validation.pipe.js';
import { AuditRead } from '../../identity/access-log/audit-read.decorator.js';
import { CreateSessionDto, OpenSessionDto, SessionKeyParam } from './dto/create-session.dto.js';
import { ListSessionsQuery } from './dto/list-sessions.query.js';
import { SessionDto, SessionPageDto, toSessionDto, toSessionWithWebhookDto } from './dto/session.dto.js';
import { UpdateSessionDto } from './dto/update-session.dto.js';
import { SessionsService } from '../sessions.service.js';
import { AgentAccess } from '../../identity/auth/agent-access.decorator.js';

@ApiTags('sessions')
@ApiBearerAuth()
@ApiErrors(400, 401, 429, 503)
@Controller('v1/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Post()
  @ApiOperation({ summary: 'Open a session with an agent, optionally with its webhook (one transaction)' })
  @ApiCreatedResponse({ type: SessionDto })
  @ApiErrors(403, 409, 413)
  async create(@CurrentAuth() auth: AuthContext, @Body() body: OpenSessionDto): Promise<SessionDto> {
    return toSessionWithWebhookDto(await this.sessions.create(auth, body));
  }

  @Put('by-key/:key')
  @ApiOperation({
    summary: "Get or create the caller's session with this key (race-free: concurrent calls create one)",
  })
  @ApiCreatedResponse({ type: SessionDto, description: 'created' })
  @ApiOkResponse({ type: SessionDto, description: 'the existing session with this key' })
  @ApiErrors(403, 404, 409, 413)
  async putByKey(
    @CurrentAuth() auth: AuthContext,
    @Param() params: SessionKeyParam,
    @Body() body: CreateSessionDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SessionDto> {
    const keyed = await this.sessions.putByKey(auth, params.key, body);
    res.status(keyed.created ? 201 : 200);
    return toSessionDto(keyed.session);
  }

  @Get()
  @AuditRead('session.list')
  @ApiOperation({ summary: 'List sessions, newest first (keyset pagination)' })
  @ApiOkResponse({ type: SessionPageDto })
  async list(@CurrentAuth() auth: AuthContext, @Query() query: ListSessionsQuery): Promise<SessionPageDto> {
    const page = await this.sessions.list(auth, query);
    return { data: page.data.map(toSessionDto), nextCursor: page.nextCursor };
  }

  @AgentAccess()
  @Get(':id')
  @AuditRead('session.read', { name: 'id', kind: 'session' })
  @ApiOperation({ summary: 'One session' })
  @ApiOkResponse({ type: SessionDto })
  @ApiErrors(404)
  async get(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string): Promise<SessionDto> {
    return toSessionDto(await this.sessions.get(auth, id));
  }

  @Get(':id/children')
  @AuditRead('session.children', { name: 'id', kind: 'session' })
  @ApiOperation({ summary: 'Direct child sessions, newest first' })
  @ApiOkResponse({ type: SessionPageDto })
  @ApiErrors(404)
  async children(
    @CurrentAuth() auth: AuthContext,
    @Param('id', UuidParam) id: string,
    @Query() query: ListSessionsQuery,
  ): Promise<SessionPageDto> {
    const page = await this.sessions.children(auth, id, query);
    return { data: page.data.map(toSessionDto), nextCursor: page.nextCursor };
  }

  @Get(':id/ancestors')
  @AuditRead('session.ancestors', { name: 'id', kind: 'session' })
  @ApiOperation({ summary: 'Parent, grandparent, … up to the root' })
  @ApiOkResponse({ type: [SessionDto] })
  @ApiErrors(404)
  async ancestors(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string): Promise<SessionDto[]> {
    return (await this.sessions.ancestors(auth, id)).map(toSessionDto);
  }

  @Patch(':id')
  @ApiOperation({
    summary:
      'Rename, merge-patch metadata and state (a state change is recorded as an event), set or remove the webhook',
  })
  @ApiOkResponse({ type: SessionDto })
  @ApiErrors(403, 404, 409, 413)
  async update(
    @CurrentAuth() auth: AuthContext,
    @Param('id', UuidParam) id: string,
    @Body() body: UpdateSessionDto,
  ): Promise<SessionDto> {
    return toSessionWithWebhookDto(await this.sessions.update(auth, id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'End a session (status closed); its history is kept' })
  @ApiNoContentResponse({ description: 'closed (also when it already was)' })
  @ApiErrors(403, 404)
  async close(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string): Promise<void> {
    await this.sessions.close(auth, id);
  }
}
