import type { Logger } from 'pino';

/** Always on a line (pino's base), though `bindings()` leaves them out. */
const BASE_KEYS = ['pid', 'hostname'];

const boundKeys = new WeakMap<Logger, Set<string>>();

function keysBoundTo(logger: Logger): Set<string> {
  let keys = boundKeys.get(logger);
  if (!keys) {
    keys = new Set([...BASE_KEYS, ...Object.keys(logger.bindings())]);
    boundKeys.set(logger, keys);
  }
  return keys;
}

/**
 * pino `hooks.logMethod`: pino writes a logger's bindings (the base fields; `request_id`
 * inside a request) and then the call's object, so a key in both would appear twice in the
 * line, which aggregators such as Elasticsearch reject. The bound value wins: it is the
 * context the line was logged in (`request_id` of a business log logged during its request).
 */
export function dropBoundKeys(
  this: Logger,
  args: Parameters<Logger['info']>,
  method: (...args: Parameters<Logger['info']>) => void,
): void {
  const [first] = args;
  if (first && typeof first === 'object' && !(first instanceof Error)) {
    const bound = keysBoundTo(this);
    const object = first as Record<string, unknown>;
    if (Object.keys(object).some((key) => bound.has(key))) {
      const copy = Object.fromEntries(Object.entries(object).filter(([key]) => !bound.has(key)));
      args = [copy, ...args.slice(1)] as Parameters<Logger['info']>;
    }
  }
  method.apply(this, args);
}
