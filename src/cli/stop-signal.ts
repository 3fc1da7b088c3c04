export type StopSignalName = 'SIGINT' | 'SIGTERM';

/**
 * Resolves with the name of the first SIGINT or SIGTERM (or 'timeout' after `timeoutMs`): the
 * moment a long-running command begins its graceful stop. Listening starts at the call, so call
 * it before starting the work a signal should stop. Once `done` aborts (the work ended by itself),
 * it stops listening and never resolves. With `onAgain`, a second SIGINT or SIGTERM during the
 * graceful stop calls it (to stop at once) instead of killing the process unannounced.
 */
export function stopSignal(timeoutMs?: number, done?: AbortSignal, onAgain?: (signal: StopSignalName) => void): Promise<StopSignalName | 'timeout'> {
  return new Promise((resolve) => {
    const off = () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      clearTimeout(timer);
    };
    const on = (name: StopSignalName | 'timeout') => () => {
      off();
      done?.removeEventListener('abort', off);
      if (onAgain && name !== 'timeout') {
        process.once('SIGINT', () => onAgain('SIGINT'));
        process.once('SIGTERM', () => onAgain('SIGTERM'));
      }
      resolve(name);
    };
    const onInt = on('SIGINT');
    const onTerm = on('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    const timer = timeoutMs === undefined ? undefined : setTimeout(on('timeout'), timeoutMs);
    timer?.unref();
    done?.addEventListener('abort', off, { once: true });
  });
}
