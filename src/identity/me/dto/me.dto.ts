import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ROLES, type Role } from '../../auth/auth-context.js';
import type { TokenRecord } from '../../tokens/token.record.js';

/** Who the bearer token says the caller is. */
export class MeDto {
  @ApiProperty({ example: 'alice' }) userId: string;
  @ApiProperty({ enum: ROLES }) role: Role;
  @ApiProperty({ format: 'uuid' }) tokenId: string;
  @ApiProperty({ nullable: true, type: String, description: 'the label given when the token was created' })
  tokenName: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'null: the token does not expire' })
  expiresAt: string | null;
  @ApiPropertyOptional({ type: [String], description: 'role agent only: the agents the token is bound to' })
  agentIds?: string[];
}

export function toMeDto(token: TokenRecord): MeDto {
  return {
    userId: token.userId,
    role: token.role,
    tokenId: token.id,
    tokenName: token.name,
    expiresAt: token.expiresAt?.toISOString() ?? null,
    ...(token.role === 'agent' ? { agentIds: token.agentIds } : {}),
  };
}
