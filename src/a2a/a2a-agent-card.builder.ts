import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { A2A_PROTOCOL_VERSION, A2A_VERSION_HEADER, AGENT_CARD_PATH, type AgentCard } from '@a2a-js/sdk';
import { duplicateInterfacesForLegacy } from '@a2a-js/sdk/compat/v0_3';
import type { Server } from 'node:http';
import type { AgentDescriptor } from '../runtime/agents/agent.interface.js';
import { AppConfig } from '../platform/config/app-config.js';

export const BEARER_SCHEME = 'bearer';
const MODES = ['text/plain', 'application/json'];
/** Clients read this: without the header a request is A2A 0.3 (spec §3.6.2), and v1.0 method names are unknown there. */
const VERSION_NOTE = `A2A 1.0 clients send the header "${A2A_VERSION_HEADER}: 1.0" with every request; without it a request is read as A2A 0.3.`;

/** Where one agent's A2A endpoints live, relative to the public base URL. */
export function a2aPaths(agentId: string) {
  const root = `/a2a/${agentId}`;
  return { root, jsonRpc: `${root}/jsonrpc`, rest: `${root}/rest`, card: `${root}/${AGENT_CARD_PATH}` };
}

/**
 * Agent cards: one per configured agent, listing its JSON-RPC and HTTP+JSON endpoints at protocol 1.0 and,
 * through the SDK's compatibility layer, 0.3; streaming and push notifications on, bearer tokens required.
 * URLs start at PUBLIC_URL, or http://localhost:<port actually listened on> when it is not set.
 */
@Injectable()
export class A2aAgentCards {
  constructor(
    private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  baseUrl(): string {
    if (this.config.http.publicUrl) return this.config.http.publicUrl;
    const server = this.adapterHost.httpAdapter?.getHttpServer?.() as Server | undefined;
    const address = server?.address();
    const bound = typeof address === 'object' && address ? address : undefined;
    const host = !bound || ['0.0.0.0', '::'].includes(bound.address) ? 'localhost' : bound.address;
    return `http://${host.includes(':') ? `[${host}]` : host}:${bound?.port ?? this.config.http.port}`;
  }

  build(agent: AgentDescriptor, baseUrl = this.baseUrl()): AgentCard {
    const paths = a2aPaths(agent.id);
    const interfaces = [
      {
        url: `${baseUrl}${paths.jsonRpc}`,
        protocolBinding: 'JSONRPC',
        tenant: '',
        protocolVersion: A2A_PROTOCOL_VERSION,
      },
      {
        url: `${baseUrl}${paths.rest}`,
        protocolBinding: 'HTTP+JSON',
        tenant: '',
        protocolVersion: A2A_PROTOCOL_VERSION,
      },
    ];
    return {
      name: agent.name,
      description: `${agent.description} ${VERSION_NOTE}`,
      supportedInterfaces: duplicateInterfacesForLegacy(interfaces, ['JSONRPC', 'HTTP+JSON']),
      provider: { organization: 'Agent session service', url: baseUrl },
      version: '1.0.0',
      documentationUrl: `${baseUrl}/docs`,
      capabilities: { streaming: true, pushNotifications: true, extensions: [], extendedAgentCard: false },
      securitySchemes: {
        [BEARER_SCHEME]: {
          scheme: {
            $case: 'httpAuthSecurityScheme',
            value: {
              description: 'A token issued by the service (npm run token)',
              scheme: 'bearer',
              bearerFormat: 'opaque',
            },
          },
        },
      },
      securityRequirements: [{ schemes: { [BEARER_SCHEME]: { list: [] } } }],
      defaultInputModes: MODES,
      defaultOutputModes: MODES,
      skills: [
        {
          id: agent.id,
          name: agent.name,
          description: agent.description,
          tags: [agent.kind, 'conversation'],
          examples: [],
          inputModes: MODES,
          outputModes: MODES,
          securityRequirements: [],
        },
      ],
      signatures: [],
    };
  }
}
