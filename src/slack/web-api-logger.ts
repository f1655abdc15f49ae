import type { Logger } from '../logger';

/** web-api's own logger, sent to ours at debug level (its info lines would repeat ours). */
export function quietLogger(logger: Logger) {
  const child = logger.child({ module: 'web-api' });
  return {
    debug: () => undefined,
    info: (...msg: unknown[]) => child.debug(msg.map(String).join(' ')),
    warn: (...msg: unknown[]) => child.warn(msg.map(String).join(' ')),
    error: (...msg: unknown[]) => child.error(msg.map(String).join(' ')),
    setLevel: () => undefined,
    getLevel: () => 'info' as never,
    setName: () => undefined,
  };
}
