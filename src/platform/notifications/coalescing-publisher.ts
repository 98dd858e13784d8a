import { CHANNELS, coalesceKey, coalesces, mergePayloads, type ChannelName, type ChannelPayloads } from './channels.js';

/** Sends notifications as one statement: `wires[i]` gets `payloads[i]`, in order. */
export type SendNotifications = (wires: string[], payloads: string[]) => Promise<void>;

interface Pending {
  channel: ChannelName;
  payload: ChannelPayloads[ChannelName];
}

/**
 * Gathers notifications of committed writes for `windowMs` after the first one and sends them in one statement
 * (one commit, one turn of PostgreSQL's notification lock, instead of one per write). Payloads that listeners
 * read only as hints are coalesced on the way (see ChannelCodec.coalesce): a session that got 50 events in the
 * window is announced once with its newest seq. At most one send is in flight; what arrives meanwhile goes out
 * with the next one, so under load the batches grow instead of the sends queueing up.
 */
export class CoalescingPublisher {
  private pending = new Map<string, Pending>();
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;

  constructor(
    private readonly windowMs: number,
    private readonly send: SendNotifications,
    private readonly onError: (error: unknown) => void,
  ) {}

  /**
   * A payload merged into one of its channel's that is still pending goes out where the newer one would: a
   * session's newest seq is announced after what was published before that event (a streaming agent's text).
   * Identical payloads of channels that do not coalesce keep their first place.
   */
  add<C extends ChannelName>(channel: C, payload: ChannelPayloads[C]): void {
    const key = coalesceKey(channel, payload);
    const held = this.pending.get(key);
    const merged = held ? mergePayloads(channel, held.payload as ChannelPayloads[C], payload) : payload;
    if (held && coalesces(channel)) this.pending.delete(key);
    this.pending.set(key, { channel, payload: merged });
    this.schedule();
  }

  /** Sends whatever is pending now; resolves once it is sent (or has failed and been reported). */
  async flush(): Promise<void> {
    while (this.inFlight) await this.inFlight;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    const wires = batch.map((n) => CHANNELS[n.channel].wire);
    const payloads = batch.map((n) => (CHANNELS[n.channel].encode as (p: unknown) => string)(n.payload));
    this.inFlight = this.send(wires, payloads)
      .catch(this.onError)
      .finally(() => {
        this.inFlight = undefined;
        this.schedule();
      });
    await this.inFlight;
  }

  private schedule(): void {
    if (this.timer || this.inFlight || this.pending.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.windowMs);
  }
}
