import { SESSION_STATUSES } from '../../src/conversation/records/session.record';
import { TASK_STATUSES } from '../../src/conversation/records/task.record';
import {
  EXPIRABLE_SESSION_STATUSES,
  REOPENED_BY_USER_MESSAGE,
  canMoveTask,
  isFinalTaskStatus,
  nextSessionStatus,
  taskStatusesMovingTo,
} from '../../src/conversation/status.machine';

describe('session status', () => {
  it('a user message makes an open session active; closed and expired ones refuse it', () => {
    expect(nextSessionStatus('input_required', 'user_message')).toBe('active');
    expect(nextSessionStatus('completed', 'user_message')).toBe('active');
    expect(nextSessionStatus('closed', 'user_message')).toBeUndefined();
    expect(nextSessionStatus('expired', 'user_message')).toBeUndefined();
    expect([...REOPENED_BY_USER_MESSAGE].sort()).toEqual(['completed', 'input_required']);
  });

  it('the agent asks (input_required), answers (status kept) or ends the conversation (completed)', () => {
    expect(nextSessionStatus('active', 'agent_asked')).toBe('input_required');
    expect(nextSessionStatus('active', 'agent_answered')).toBe('active');
    expect(nextSessionStatus('input_required', 'agent_answered')).toBe('input_required');
    expect(nextSessionStatus('active', 'agent_ended')).toBe('completed');
    expect(nextSessionStatus('closed', 'agent_ended')).toBeUndefined();
  });

  it('closing and expiring are final; an expired session may still be closed by its client', () => {
    for (const status of ['active', 'input_required', 'completed'] as const) {
      expect(nextSessionStatus(status, 'close')).toBe('closed');
      expect(nextSessionStatus(status, 'expire')).toBe('expired');
    }
    expect(nextSessionStatus('expired', 'close')).toBe('closed');
    expect(nextSessionStatus('closed', 'close')).toBeUndefined();
    expect(nextSessionStatus('closed', 'expire')).toBeUndefined();
    expect([...EXPIRABLE_SESSION_STATUSES].sort()).toEqual(['active', 'completed', 'input_required']);
  });

  it('covers every declared session status', () => {
    for (const status of SESSION_STATUSES) expect(() => nextSessionStatus(status, 'close')).not.toThrow();
  });
});

describe('task status', () => {
  it('runs submitted -> working -> an outcome, and back to the queue on release or an answer to a question', () => {
    expect(canMoveTask('submitted', 'working')).toBe(true);
    expect(canMoveTask('working', 'completed')).toBe(true);
    expect(canMoveTask('working', 'input_required')).toBe(true);
    expect(canMoveTask('working', 'submitted')).toBe(true);
    expect(canMoveTask('input_required', 'submitted')).toBe(true);
    expect(canMoveTask('submitted', 'completed')).toBe(false);
    expect(canMoveTask('input_required', 'completed')).toBe(false);
  });

  it('finished tasks never move again, and only unfinished ones can be canceled', () => {
    for (const status of ['completed', 'failed', 'canceled'] as const) {
      expect(isFinalTaskStatus(status)).toBe(true);
      for (const to of TASK_STATUSES) expect(canMoveTask(status, to)).toBe(false);
    }
    expect(taskStatusesMovingTo('canceled').sort()).toEqual(['input_required', 'submitted', 'working']);
  });
});
