import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { MAX_INT4 } from '../../../platform/http/pagination.js';

export class CreateAnnotationDto {
  @ApiPropertyOptional({ description: 'the note', maxLength: 10000, example: 'Refund approved by billing.' })
  @IsOptional()
  @IsString()
  @Length(1, 10_000)
  text?: string;

  @ApiPropertyOptional({
    type: [String],
    maxItems: 20,
    description: 'labels (1–64 characters: letters, digits, space, _ . : / -), e.g. "refund", "needs-follow-up"',
    example: ['refund'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  @Matches(/^[\p{L}\p{N}][\p{L}\p{N} _.:/-]*$/u, {
    each: true,
    message: 'each label must start with a letter or digit and hold only letters, digits, space, _ . : / -',
  })
  labels?: string[];

  @ApiPropertyOptional({ minimum: 1, description: 'the event it is about (its seq); the whole session when left out' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_INT4)
  seq?: number;

  @ApiPropertyOptional({
    default: false,
    description: "admins only: show it to the session's owner (GET annotations and their transcript exports)",
  })
  @IsOptional()
  @IsBoolean()
  shared?: boolean;
}
