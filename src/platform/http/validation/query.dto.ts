import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../pagination.js';

export class LimitQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_PAGE_SIZE)
  limit: number = DEFAULT_PAGE_SIZE;
}

/** Pages of a session's sequence: everything strictly after `after`. */
export class AfterSeqQuery extends LimitQuery {
  @ApiPropertyOptional({ minimum: 0, default: 0, description: 'return items after this seq' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(2_147_483_647)
  after: number = 0;
}
