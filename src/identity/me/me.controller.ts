import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../platform/http/openapi/api-errors.decorator.js';
import type { AuthContext } from '../auth/auth-context.js';
import { CurrentAuth } from '../auth/current-auth.decorator.js';
import { TokensService } from '../tokens/tokens.service.js';
import { MeDto, toMeDto } from './dto/me.dto.js';
import { AgentAccess } from '../auth/agent-access.decorator.js';

@ApiTags('identity')
@ApiBearerAuth()
@Controller('v1')
export class MeController {
  constructor(private readonly tokens: TokensService) {}

  @AgentAccess()
  @Get('me')
  @ApiOperation({ summary: 'Who the bearer token belongs to: user, role, and the token itself' })
  @ApiOkResponse({ type: MeDto })
  @ApiErrors(400, 401, 429, 503)
  async me(@CurrentAuth() auth: AuthContext): Promise<MeDto> {
    return toMeDto(await this.tokens.current(auth));
  }
}
