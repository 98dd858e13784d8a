import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ErrorBody } from '../../errors/error-body.js';

/** The one JSON shape of every error response, as the API document describes it (see ErrorBody). */
export class ErrorBodyDto implements ErrorBody {
  @ApiProperty({ example: 404, description: 'the HTTP status, repeated' }) statusCode: number;
  @ApiProperty({ example: 'Not Found', description: "the status's reason phrase" }) error: string;
  @ApiProperty({ example: 'session not found', description: 'for humans; may change' }) message: string;
  @ApiProperty({ example: 'session/not_found', description: 'stable; clients may switch on it' }) code: string;
  @ApiPropertyOptional({ type: [String], description: 'every validation problem, when there are several' })
  details?: string[];
  @ApiProperty({ description: 'the X-Request-Id of the request; quote it when reporting a problem' })
  requestId: string;
}
