import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { LimitQuery } from '../../../platform/http/validation/query.dto.js';

export class ListAnnotationsQuery extends LimitQuery {
  @ApiPropertyOptional({ description: 'nextCursor from the previous page' })
  @IsOptional()
  @IsString()
  @Length(1, 400)
  cursor?: string;
}
