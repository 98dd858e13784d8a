/**
 * Runs `round` whenever `kick()` is called, one round at a time: kicks that arrive while a round runs are
 * coalesced into one more round after it (a queue worker woken by notifications, a timer and its own
 * finished jobs claims once per wake-up burst, never concurrently with itself).
 */
export function coalescedRound(
  round: () => Promise<void>,
  options: { stopped: () => boolean; onError: (error: unknown) => void },
): () => void {
  let running = false;
  let again = false;
  const kick = (): void => {
    if (options.stopped()) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    round()
      .catch(options.onError)
      .finally(() => {
        running = false;
        if (again) {
          again = false;
          kick();
        }
      });
  };
  return kick;
}
