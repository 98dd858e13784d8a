import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { TRANSCRIPT_FORMATS, type TranscriptFormat } from '../transcript-formats.js';

export class TranscriptQuery {
  @ApiPropertyOptional({ enum: TRANSCRIPT_FORMATS, default: 'json' })
  @IsOptional()
  @IsIn(TRANSCRIPT_FORMATS)
  format: TranscriptFormat = 'json';
}
