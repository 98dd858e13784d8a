import { Injectable } from '@nestjs/common';
import { assertReviewer, type AuthContext } from '../../identity/auth/auth-context.js';
import { Errors } from '../../platform/errors/domain-error.js';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.js';
import type { ReviewSearchQuery } from './dto/review-search.query.js';
import { ReviewRepository, type ReviewHit } from './review.repository.js';

export interface ReviewPage {
  data: ReviewHit[];
  nextCursor: string | null;
}

@Injectable()
export class ReviewService {
  constructor(private readonly review: ReviewRepository) {}

  async search(auth: AuthContext, query: ReviewSearchQuery): Promise<ReviewPage> {
    assertReviewer(auth);
    const date = (value?: string) => (value ? new Date(value) : undefined);
    const [createdFrom, createdTo, activeFrom, activeTo] = [query.createdFrom, query.createdTo, query.activeFrom, query.activeTo].map(date);
    if (createdFrom && createdTo && createdFrom > createdTo) throw Errors.badRequest('review/invalid_range', 'createdFrom is after createdTo');
    if (activeFrom && activeTo && activeFrom > activeTo) throw Errors.badRequest('review/invalid_range', 'activeFrom is after activeTo');
    const rows = await this.review.search({
      q: query.q?.trim() || undefined,
      userId: query.userId,
      agentId: query.agentId,
      status: query.status,
      hasFailedTasks: query.hasFailedTasks,
      createdFrom, createdTo, activeFrom, activeTo,
      before: query.cursor ? decodeCursor(query.cursor) : undefined,
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return { data: page, nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
  }
}
