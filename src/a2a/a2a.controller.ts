import { All, Controller, Get, Param, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../identity/auth/public.decorator.js';
import { A2aEndpoints } from './a2a-endpoints.service.js';
import { A2aWriteGuard } from './a2a-write.guard.js';

/**
 * The A2A endpoints of every configured agent, through the same pipeline as REST (bearer guard, one rate
 * limit per token, access log, exception filter); the requests themselves are answered by @a2a-js/sdk:
 *
 * - `GET /a2a/:agentId/.well-known/agent-card.json` (and `/.well-known/agent-card.json` for the default agent), public
 * - `POST /a2a/:agentId/jsonrpc` — JSON-RPC 2.0, v1.0 methods (`A2A-Version: 1.0`) and v0.3 ones (`message/send`, …)
 * - `/a2a/:agentId/rest/...` — HTTP+JSON (`POST message:send`, `GET tasks/:id`, …; v0.3 routes under `/v1/`)
 */
@ApiExcludeController()
@Controller()
@UseGuards(A2aWriteGuard)
export class A2aController {
  constructor(private readonly endpoints: A2aEndpoints) {}

  @Public()
  @Get('.well-known/agent-card.json')
  defaultCard(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.endpoints.card(undefined, req, res);
  }

  @Public()
  @Get('a2a/:agentId/.well-known/agent-card.json')
  card(@Param('agentId') agentId: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.endpoints.card(agentId, req, res);
  }

  @All('a2a/:agentId/jsonrpc')
  jsonRpc(@Param('agentId') agentId: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.endpoints.jsonRpc(agentId, req, res);
  }

  @All(['a2a/:agentId/rest', 'a2a/:agentId/rest/*path'])
  rest(@Param('agentId') agentId: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.endpoints.rest(agentId, req, res);
  }
}
