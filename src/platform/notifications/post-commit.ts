import type { ChannelName, ChannelPayloads } from './channels.js';

/**
 * Where a writer hands the notifications about what it wrote. They reach other instances only after the write
 * has committed, and never from inside the write transaction: a transaction that NOTIFYs takes a database-wide
 * lock while it commits, which serialized every append (docs/benchmarks.md). The trade-off: an instance that
 * dies between its commit and the NOTIFY never sends it. Nothing is lost by that, only late — every listener
 * treats a notification as a wake-up hint and reads the rows themselves (streams by seq after the last one
 * sent, waiters by task id, workers by claiming), and each also polls (streams every 5 s, waiters every 1 s,
 * workers every WORKER_POLL_MS), so a missing notification delays a reader by at most its poll interval.
 */
export interface PostCommitNotifier {
  notifyAfterCommit<C extends ChannelName>(channel: C, payload: ChannelPayloads[C]): void;
}

interface Held {
  channel: ChannelName;
  payload: ChannelPayloads[ChannelName];
}

/** The notifications of one transaction, held until it commits and dropped if it rolls back. */
export class PendingNotifications implements PostCommitNotifier {
  private readonly held: Held[] = [];

  notifyAfterCommit<C extends ChannelName>(channel: C, payload: ChannelPayloads[C]): void {
    this.held.push({ channel, payload });
  }

  /** What was handed over so far, in order (for the transaction's owner and for tests). */
  get notifications(): readonly Held[] {
    return this.held;
  }

  /** After the commit: passes everything on, in the order it was written. */
  releaseTo(target: PostCommitNotifier): void {
    for (const { channel, payload } of this.held.splice(0)) target.notifyAfterCommit(channel, payload);
  }
}

/** For repositories bound to a read-only connection (a replica): writing through them is a bug. */
export const READ_ONLY_NOTIFIER: PostCommitNotifier = {
  notifyAfterCommit: () => {
    throw new Error('a read-only repository cannot write');
  },
};
