import { Injectable } from '@nestjs/common';
import { Role, type SendMessageRequest } from '@a2a-js/sdk';
import { RequestMalformedError, TaskNotFoundError, UnsupportedOperationError } from '@a2a-js/sdk/errors';
import type { ServerCallContext } from '@a2a-js/sdk/server';
import { isUUID } from 'class-validator';
import { writeScope, type AuthContext } from '../identity/auth/auth-context.js';
import { isWritable } from '../conversation/records/session.record.js';
import { ConversationReader } from '../conversation/conversation.reader.js';
import { SessionsService } from '../conversation/sessions.service.js';
import { authOf } from './a2a-auth.middleware.js';
import { asA2a } from './a2a-error.mapper.js';
import { toAppendInput } from './a2a-input.mapper.js';
import { setPendingInput } from './a2a-session.executor.js';

/**
 * Checks an incoming message before the SDK starts a task for it, so that a refusal is a protocol error and
 * not a failed task: the message must be valid, its contextId must be one of the caller's sessions with this
 * agent (none: a new session is opened for the caller), and a taskId must be the caller's task that waits for
 * input. Other users' sessions and tasks are reported as not found.
 */
@Injectable()
export class A2aSendPreparer {
  constructor(
    private readonly sessionsService: SessionsService,
    private readonly reader: ConversationReader,
  ) {}

  async prepare(agentId: string, params: SendMessageRequest, context: ServerCallContext): Promise<void> {
    const message = params.message;
    if (!message?.messageId) return; // the SDK reports the malformed request
    const auth = authOf(context);
    if (auth.role === 'reviewer') throw new UnsupportedOperationError('reviewer tokens are read-only');
    if (message.role === Role.ROLE_AGENT) throw new RequestMalformedError('only user messages can be sent to an agent');
    setPendingInput(context, toAppendInput(message));
    if (message.taskId) return this.checkTask(agentId, message.taskId, auth);
    if (message.contextId) return this.checkSession(agentId, message.contextId, auth);
    const session = await asA2a(() => this.sessionsService.create(auth, { agentId }));
    message.contextId = session.id;
  }

  private async checkTask(agentId: string, taskId: string, auth: AuthContext): Promise<void> {
    const task = isUUID(taskId) ? await this.reader.task(taskId, writeScope(auth)) : undefined;
    if (!task || task.agentId !== agentId) throw new TaskNotFoundError(`Task not found: ${taskId}`);
    if (task.status !== 'input_required') {
      throw new UnsupportedOperationError(`task ${taskId} is ${task.status}; only a task in input-required accepts another message`);
    }
  }

  private async checkSession(agentId: string, contextId: string, auth: AuthContext): Promise<void> {
    const session = isUUID(contextId) ? await this.reader.session(contextId, writeScope(auth)) : undefined;
    if (!session || session.agentId !== agentId) throw new TaskNotFoundError(`context not found: ${contextId}`);
    if (!isWritable(session)) throw new UnsupportedOperationError(`session ${contextId} is closed and accepts no new messages`);
  }
}
