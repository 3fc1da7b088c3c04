/**
 * Resolves with the name of the first SIGINT or SIGTERM (or 'timeout' after `timeoutMs`): the
 * moment a long-running command begins its graceful stop. Listening starts at the call, so call
 * it before starting the work a signal should stop. Once `done` aborts (the work ended by itself),
 * it stops listening and never resolves.
 */
export function stopSignal(timeoutMs?: number, done?: AbortSignal): Promise<'SIGINT' | 'SIGTERM' | 'timeout'> {
  return new Promise((resolve) => {
    const off = () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      clearTimeout(timer);
    };
    const on = (name: 'SIGINT' | 'SIGTERM' | 'timeout') => () => {
      off();
      done?.removeEventListener('abort', off);
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
