/**
 * Graceful stop on SIGTERM/SIGINT: the first signal runs `stop` (stop accepting connections, let
 * in-flight requests finish, close the database) and resolves with exit code 0 (1 if stopping
 * failed); a second signal exits at once.
 */
import type { Logger } from 'pino';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
const SIGNAL_NUMBERS: Record<StopSignal, number> = { SIGINT: 2, SIGTERM: 15 };

export type StopSignal = (typeof SIGNALS)[number];

/** `signals`: which signals stop the process (default both; a cluster worker leaves SIGINT to its primary). */
export function stopOnSignals(log: Logger, stop: () => Promise<void>, signals: readonly StopSignal[] = SIGNALS): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: StopSignal) => {
      if (stopping) {
        log.warn({ signal }, 'second signal: exiting immediately');
        process.exit(128 + SIGNAL_NUMBERS[signal]);
      }
      stopping = true;
      log.info({ signal }, 'stopping: no new connections, finishing requests in flight (signal again to exit now)');
      stop().then(
        () => { log.info('stopped'); resolve(0); },
        (err: unknown) => { log.error({ err }, 'error while stopping'); resolve(1); },
      );
    };
    for (const s of signals) process.on(s, onSignal);
  });
}
