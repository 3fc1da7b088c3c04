/**
 * Resolves with the name of the first SIGINT or SIGTERM (or 'timeout' after `timeoutMs`): the
 * moment a long-running command begins its graceful stop. Listening starts at the call, so call
 * it before starting the work a signal should stop.
 */
export function stopSignal(timeoutMs?: number): Promise<'SIGINT' | 'SIGTERM' | 'timeout'> {
  return new Promise((resolve) => {
    const on = (name: 'SIGINT' | 'SIGTERM' | 'timeout') => () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      clearTimeout(timer);
      resolve(name);
    };
    const onInt = on('SIGINT');
    const onTerm = on('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    const timer = timeoutMs === undefined ? undefined : setTimeout(on('timeout'), timeoutMs);
    timer?.unref();
  });
}
