import type { FieldError } from '../errors';

/**
 * Keys that name the prototype chain. JSON.parse and node:querystring keep them as own
 * properties, but class-transformer and most object spreads drop or reinterpret them, so a
 * request carrying one would be handled as if the key were not there. They are refused instead.
 */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
]);

/**
 * Deepest nesting a body may have. No request of ours needs more than 2 levels; a deeper one
 * would only drive the recursive walks of validation (ValidationPipe, class-transformer) into a
 * stack overflow.
 */
export const MAX_INPUT_DEPTH = 32;

/** At most this many problems are listed: a hostile body can hold millions. */
const MAX_PROBLEMS = 20;

/**
 * What no request input (a parsed JSON body, a parsed query string) may hold, anywhere in it:
 * a number JSON.parse read as ±Infinity (`1e999`), a prototype-chain key, or nesting deeper than
 * MAX_INPUT_DEPTH. One iterative walk (no recursion, so no stack to overflow) finds them all;
 * every route gets the same rules because the body parser and the query check both call it.
 */
export function inputProblems(value: unknown, root = 'body'): FieldError[] {
  const problems: FieldError[] = [];
  const stack: { node: unknown; path: string; depth: number }[] = [
    { node: value, path: '', depth: 0 },
  ];
  while (stack.length > 0 && problems.length < MAX_PROBLEMS) {
    const { node, path, depth } = stack.pop()!;
    if (typeof node === 'number' && !Number.isFinite(node)) {
      problems.push({
        field: path || root,
        message: `${path || root} must be a finite number (JSON numbers beyond ±1.8e308 are not accepted)`,
      });
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (depth >= MAX_INPUT_DEPTH) {
      return [
        {
          field: root,
          message: `the ${root} must not be nested more than ${MAX_INPUT_DEPTH} levels deep`,
        },
      ];
    }
    const isArray = Array.isArray(node);
    const children: typeof stack = [];
    for (const key of Object.keys(node)) {
      const childPath = isArray ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      if (!isArray && PROTOTYPE_KEYS.has(key)) {
        problems.push({ field: childPath, message: `property ${key} is not allowed` });
        continue;
      }
      const child = (node as Record<string, unknown>)[key];
      children.push({ node: child, path: childPath, depth: depth + 1 });
    }
    // Last in, first out: pushed in reverse, so problems are listed in document order.
    for (let i = children.length - 1; i >= 0; i -= 1) stack.push(children[i]);
  }
  return problems;
}
