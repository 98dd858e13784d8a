import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { A2A_VERSION_HEADER, AGENT_CARD_PATH, AgentCard } from '@a2a-js/sdk';
import { agentCardHandler, jsonRpcHandler, restHandler } from '@a2a-js/sdk/server/express';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { DomainError } from '../platform/errors/domain-error.js';
import { ErrorPresenters } from '../platform/errors/error-presenters.js';
import { OpenStreams } from '../platform/http/open-streams.service.js';
import type { AuthContext } from '../identity/auth/auth-context.js';
import { AgentsService } from '../runtime/agents/agents.service.js';
import { a2aPaths } from './a2a-agent-card.builder.js';
import { assertJsonRpcRequest, isStreamingRequest, presentJsonRpcError } from './a2a-jsonrpc.js';
import { A2aHandlerDeps, A2aRequestHandler } from './a2a-request.handler.js';
import { a2aUserBuilder } from './a2a-user.js';

const LEGACY_COMPAT = { enabled: true };

/** The SDK's Express handlers of one agent, each mounted at its full path. */
interface AgentEndpoints {
  jsonRpc: Router;
  rest: Router;
  card: Router;
}

/** A v1.0 client asks for the v1.0 card; no A2A-Version header (or 0.x) means a v0.3 client (spec §3.6.2). */
function wantsCurrentCard(version: string | undefined): boolean {
  return !!version && !version.startsWith('0.');
}

/**
 * Runs one of the SDK's Express handlers for a request Nest has routed (and authenticated, throttled,
 * authorized). Settles when the handler has answered; rejects with its error, or with `unmatched` when it
 * passed the request on without answering.
 */
function forward(handler: Router, req: Request, res: Response, unmatched: () => DomainError): Promise<void> {
  return new Promise((resolve, reject) => {
    const answered = () => resolve();
    res.once('close', answered);
    handler(req, res, (error?: unknown) => {
      res.off('close', answered);
      if (error) return reject(error instanceof Error ? error : new Error('the A2A handler failed'));
      res.removeHeader('Content-Type');
      reject(unmatched());
    });
  });
}

/**
 * Every configured agent's A2A endpoints, served by @a2a-js/sdk's Express handlers (JSON-RPC, HTTP+JSON with
 * the v0.3 compatibility layer, agent cards) behind A2aController, so the same guards, throttler, interceptors
 * and exception filter apply as to REST. Errors on JSON-RPC paths are answered as JSON-RPC error responses.
 */
@Injectable()
export class A2aEndpoints implements OnModuleInit {
  private readonly logger = new Logger('A2A');
  private readonly byAgent = new Map<string, AgentEndpoints>();

  constructor(
    private readonly agents: AgentsService,
    private readonly deps: A2aHandlerDeps,
    private readonly presenters: ErrorPresenters,
    private readonly streams: OpenStreams,
  ) {}

  onModuleInit(): void {
    this.presenters.register(presentJsonRpcError);
    for (const agent of this.agents.list())
      this.byAgent.set(agent.id, this.build(agent.id, new A2aRequestHandler(agent, this.deps)));
    const roots = [...this.byAgent.keys()].map((id) => a2aPaths(id).root);
    this.logger.log(`A2A endpoints: ${roots.join(', ')} (default agent card at /${AGENT_CARD_PATH})`);
  }

  jsonRpc(agentId: string, req: Request, res: Response): Promise<void> {
    const endpoints = this.endpoints(agentId);
    if (req.method !== 'POST') {
      throw new DomainError('route/method_not_allowed', 'JSON-RPC requests are POST requests', 405, undefined, {
        Allow: 'POST',
      });
    }
    assertJsonRpcRequest(req);
    this.claimStream(req, res);
    return forward(
      endpoints.jsonRpc,
      req,
      res,
      () => new DomainError('jsonrpc/invalid_request', 'not a JSON-RPC request', 400),
    );
  }

  rest(agentId: string, req: Request, res: Response): Promise<void> {
    const notFound = () => new DomainError('route/not_found', `no A2A operation at ${req.method} ${req.path}`, 404);
    const endpoints = this.endpoints(agentId);
    this.claimStream(req, res);
    return forward(endpoints.rest, req, res, notFound);
  }

  /** The agent's public card; without an agent id, the default agent's. */
  card(agentId: string | undefined, req: Request, res: Response): Promise<void> {
    const notFound = () => new DomainError('route/not_found', 'no agent card here', 404);
    return forward(this.endpoints(agentId ?? this.agents.defaultAgentId).card, req, res, notFound);
  }

  /** Streams take one of the caller's stream slots and are cut off when their client stops reading, as REST's are. */
  private claimStream(req: Request, res: Response): void {
    const auth = (req as Request & { user?: AuthContext }).user;
    if (auth && isStreamingRequest(req)) this.streams.claimUnmanaged(auth.tokenId, res);
  }

  private endpoints(agentId: string): AgentEndpoints {
    const endpoints = this.byAgent.get(agentId);
    if (!endpoints) throw new DomainError('agent/not_found', `no agent "${agentId}" here`, 404);
    return endpoints;
  }

  private build(agentId: string, requestHandler: A2aRequestHandler): AgentEndpoints {
    const paths = a2aPaths(agentId);
    const options = { requestHandler, userBuilder: a2aUserBuilder, legacyCompat: LEGACY_COMPAT };
    const cardPaths = agentId === this.agents.defaultAgentId ? [paths.card, `/${AGENT_CARD_PATH}`] : [paths.card];
    return {
      jsonRpc: Router().use(paths.jsonRpc, jsonRpcHandler(options)),
      rest: Router().use(paths.rest, restHandler(options)),
      card: Router().use(cardPaths, this.cardHandler(requestHandler)),
    };
  }

  /**
   * The agent card through the SDK's handler: the v0.3 (hybrid) card for v0.3 clients, and for v1.0 clients
   * the v1.0 card in its ProtoJSON wire form (so `securitySchemes` read `{"httpAuthSecurityScheme": …}`).
   */
  private cardHandler(requestHandler: A2aRequestHandler): RequestHandler {
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
