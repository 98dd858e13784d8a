import DataLoader from 'dataloader';

/**
 * Group commit: calls of `load` become batches for `flush`, without a timer. While fewer than `maxInFlight`
 * batches are being flushed, a new batch goes out on the next turn of the event loop (so one lone caller waits
 * for nothing); once `maxInFlight` are out, new calls gather into the next batch, which goes out as soon as one
 * finishes. So batches grow with the load by themselves, up to `maxBatch`. `flush` answers each item with its
 * result or an Error of its own (DataLoader's contract), so one item's failure never fails its batch-mates.
 */
export function groupCommit<I, O>(
  flush: (items: readonly I[]) => Promise<(O | Error)[]>,
  options: { maxBatch: number; maxInFlight: number },
): (item: I) => Promise<O> {
  let inFlight = 0;
  const queued: (() => void)[] = [];
  const finished = () => {
    const next = queued.shift();
    if (next) setImmediate(next);
    else inFlight--;
  };
  const loader = new DataLoader<I, O>(
    async (items) => {
      try {
        return await flush(items);
      } finally {
        finished();
      }
    },
    {
      cache: false,
      maxBatchSize: options.maxBatch,
      batchScheduleFn: (dispatch) => {
        if (inFlight < options.maxInFlight) {
          inFlight++;
          setImmediate(dispatch);
        } else queued.push(dispatch);
      },
    },
  );
  return (item) => loader.load(item);
}
