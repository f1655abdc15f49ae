import { withoutBodies, type Logger } from '../logger';

/**
 * web-api's own logger, sent to ours at debug level (its info lines would repeat ours). Its
 * debug lines (request and response bodies) are dropped; the others lose any body they quote.
 */
export function quietLogger(logger: Logger) {
  const child = logger.child({ module: 'web-api' });
  const line = (msg: unknown[]): string => withoutBodies(msg.map(String).join(' '));
  return {
    debug: () => undefined,
    info: (...msg: unknown[]) => child.debug(line(msg)),
    warn: (...msg: unknown[]) => child.warn(line(msg)),
    error: (...msg: unknown[]) => child.error(line(msg)),
    setLevel: () => undefined,
    getLevel: () => 'info' as never,
    setName: () => undefined,
  };
}
