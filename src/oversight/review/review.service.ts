import { Injectable } from '@nestjs/common';
import { assertReviewer, type AuthContext } from '../../identity/auth/auth-context.js';
import { Errors } from '../../platform/errors/domain-error.js';
import { fetchPage, keysetCursor } from '../../platform/http/pagination.js';
import { parseTimestamp } from '../../platform/http/timestamp.js';
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
    const date = (value?: string) => (value ? parseTimestamp(value) : undefined);
    const [createdFrom, createdTo, activeFrom, activeTo] = [
      query.createdFrom,
      query.createdTo,
      query.activeFrom,
      query.activeTo,
    ].map(date);
    if (createdFrom && createdTo && createdFrom > createdTo)
      throw Errors.badRequest('review/invalid_range', 'createdFrom is after createdTo');
    if (activeFrom && activeTo && activeFrom > activeTo)
      throw Errors.badRequest('review/invalid_range', 'activeFrom is after activeTo');
    const filter = {
      q: query.q?.trim() || undefined,
      userId: query.userId,
      agentId: query.agentId,
      status: query.status,
      hasFailedTasks: query.hasFailedTasks,
      createdFrom,
      createdTo,
      activeFrom,
      activeTo,
      label: query.label,
      metadata: query.metadata?.map((pair) => {
        const colon = pair.indexOf(':');
        return { key: pair.slice(0, colon), value: pair.slice(colon + 1) };
      }),
      before: query.cursor ? keysetCursor.decode(query.cursor) : undefined,
    };
    const page = await fetchPage(
      query.limit,
      (limit) => this.review.search({ ...filter, limit }),
      (hit) => keysetCursor.encode(hit),
    );
    return { data: page.data, nextCursor: page.next };
  }
}
