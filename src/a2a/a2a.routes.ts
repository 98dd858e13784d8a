import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { A2A_VERSION_HEADER, AGENT_CARD_PATH, AgentCard } from '@a2a-js/sdk';
import { agentCardHandler, jsonRpcHandler, restHandler } from '@a2a-js/sdk/server/express';
import { json, Router, type Express, type RequestHandler } from 'express';
import { AgentsService } from '../runtime/agents/agents.service.js';
import { rejectDeepJson, rejectNulCharacters } from '../platform/http/json-depth.middleware.js';
import { AppConfig } from '../platform/config/app-config.js';
import { a2aPaths } from './a2a-agent-card.builder.js';
import { A2aAuthMiddleware } from './a2a-auth.middleware.js';
import { A2aHandlerDeps, A2aRequestHandler } from './a2a-request.handler.js';

const LEGACY_COMPAT = { enabled: true };

/** A v1.0 client asks for the v1.0 card; no A2A-Version header (or 0.x) means a v0.3 client (spec §3.6.2). */
function wantsCurrentCard(version: string | undefined): boolean {
  return !!version && !version.startsWith('0.');
}

/**
 * Mounts the SDK's Express transports on the Nest HTTP server, per configured agent:
 *
 * - `GET /a2a/:agentId/.well-known/agent-card.json` (and `/.well-known/agent-card.json` for the default agent)
 * - `POST /a2a/:agentId/jsonrpc` — JSON-RPC 2.0, v1.0 methods and v0.3 ones (`message/send`, `tasks/get`, …)
 * - `/a2a/:agentId/rest/...` — HTTP+JSON (`POST message:send`, `GET tasks/:id`, …; v0.3 routes under `/v1/`)
 *
 * They are plain Express routers (the SDK's), so the global Nest guard does not run for them: A2aAuthMiddleware
 * authenticates every call but the cards, which are public.
 */
@Injectable()
export class A2aRoutes implements OnModuleInit {
  private readonly logger = new Logger('A2A');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly agents: AgentsService,
    private readonly deps: A2aHandlerDeps,
    private readonly auth: A2aAuthMiddleware,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const app = this.adapterHost.httpAdapter?.getInstance?.<Express>();
    if (!app) return; // no HTTP server (e.g. a standalone application context)
    app.use(this.router());
    const ids = this.agents.list().map((agent) => a2aPaths(agent.id).root);
    this.logger.log(`A2A endpoints: ${ids.join(', ')} (default agent card at /${AGENT_CARD_PATH})`);
  }

  router(): Router {
    const routers = new Map<string, Router>();
    const handlers = new Map<string, A2aRequestHandler>();
    for (const agent of this.agents.list()) {
      const handler = new A2aRequestHandler(agent, this.deps);
      handlers.set(agent.id, handler);
      routers.set(agent.id, this.agentRouter(handler));
    }
    const router = Router();
    const defaultHandler = handlers.get(this.agents.defaultAgentId);
    if (defaultHandler) router.use(`/${AGENT_CARD_PATH}`, this.card(defaultHandler));
    router.use('/a2a/:agentId', (req, res, next) => {
      const agentRouter = routers.get(String(req.params.agentId));
      if (!agentRouter) return next();
      agentRouter(req, res, next);
    });
    return router;
  }

  private agentRouter(requestHandler: A2aRequestHandler): Router {
    const options = { requestHandler, userBuilder: this.auth.userBuilder, legacyCompat: LEGACY_COMPAT };
    // application/json is parsed app-wide; parse the A2A media type with the same size and depth limits.
    const body = [json({ type: 'application/a2a+json', limit: this.config.http.bodyLimit, strict: true }), rejectDeepJson, rejectNulCharacters];
    const router = Router();
    router.use(`/${AGENT_CARD_PATH}`, this.card(requestHandler));
    router.use('/jsonrpc', ...body, this.auth.for('jsonrpc'), jsonRpcHandler(options));
    router.use('/rest', ...body, this.auth.for('rest'), restHandler(options));
    return router;
  }

  /**
   * The agent card through the SDK's handler: the v0.3 (hybrid) card for v0.3 clients, and for v1.0 clients
   * the v1.0 card in its ProtoJSON wire form (so `securitySchemes` read `{"httpAuthSecurityScheme": …}`).
   */
  private card(requestHandler: A2aRequestHandler): RequestHandler {
    const legacy = agentCardHandler({ agentCardProvider: requestHandler, legacyCompat: LEGACY_COMPAT });
    const current = agentCardHandler({
      agentCardProvider: async () => AgentCard.toJSON(await requestHandler.getAgentCard()) as AgentCard,
    });
    return (req, res, next) => {
      if (!wantsCurrentCard(req.header(A2A_VERSION_HEADER))) return legacy(req, res, next);
      res.append('Vary', A2A_VERSION_HEADER);
      current(req, res, next);
    };
  }
}
