import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../platform/http/openapi/api-errors.decorator.js';
import { UuidParam } from '../../platform/http/validation/validation.pipe.js';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { CurrentAuth } from '../../identity/auth/current-auth.decorator.js';
import { AuditRead } from '../../identity/access-log/audit-read.decorator.js';
import { AnnotationDto, AnnotationPageDto, toAnnotationDto } from './dto/annotation.dto.js';
import { CreateAnnotationDto } from './dto/create-annotation.dto.js';
import { ListAnnotationsQuery } from './dto/list-annotations.query.js';
import { AnnotationsService } from './annotations.service.js';

@ApiTags('annotations')
@ApiBearerAuth()
@ApiErrors(400, 401, 404, 429, 503)
@Controller('v1/sessions/:id/annotations')
export class AnnotationsController {
  constructor(private readonly annotations: AnnotationsService) {}

  @Post()
  @AuditRead('session.annotate', { name: 'id', kind: 'session' })
  @ApiOperation({
    summary: 'Add a note and/or labels to a session or one of its events (reviewers and admins; append-only)',
  })
  @ApiCreatedResponse({ type: AnnotationDto })
  @ApiErrors(403, 413)
  async create(
    @CurrentAuth() auth: AuthContext,
    @Param('id', UuidParam) id: string,
    @Body() body: CreateAnnotationDto,
  ): Promise<AnnotationDto> {
    return toAnnotationDto(await this.annotations.create(auth, id, body));
  }

  @Get()
  @AuditRead('session.annotations', { name: 'id', kind: 'session' })
  @ApiOperation({
    summary: "A session's annotations, oldest first (reviewers and admins: all; the owner: the shared ones)",
  })
  @ApiOkResponse({ type: AnnotationPageDto })
  async list(
    @CurrentAuth() auth: AuthContext,
    @Param('id', UuidParam) id: string,
    @Query() query: ListAnnotationsQuery,
  ): Promise<AnnotationPageDto> {
    const page = await this.annotations.list(auth, id, query);
    return { data: page.data.map(toAnnotationDto), nextCursor: page.nextCursor };
  }
}
