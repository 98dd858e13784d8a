import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../platform/http/openapi/api-errors.decorator.js';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { CurrentAuth } from '../../identity/auth/current-auth.decorator.js';
import { AuditRead } from '../../identity/access-log/audit-read.decorator.js';
import { ReviewPageDto, toReviewHitDto } from './dto/review-hit.dto.js';
import { ReviewSearchQuery } from './dto/review-search.query.js';
import { ReviewService } from './review.service.js';

@ApiTags('review')
@ApiBearerAuth()
@ApiErrors(400, 401, 429, 503)
@Controller('v1/review')
export class ReviewController {
  constructor(private readonly review: ReviewService) {}

  @Get('sessions')
  @AuditRead('review.search')
  @ApiOperation({ summary: 'Search sessions across all users (reviewers and admins)' })
  @ApiOkResponse({ type: ReviewPageDto })
  @ApiErrors(403)
  async search(@CurrentAuth() auth: AuthContext, @Query() query: ReviewSearchQuery): Promise<ReviewPageDto> {
    const page = await this.review.search(auth, query);
    return { data: page.data.map(toReviewHitDto), nextCursor: page.nextCursor };
  }
}
