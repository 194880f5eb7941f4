import { registerDecorator, type ValidationOptions } from 'class-validator';

/** A key MongoDB and FerretDB store as a field name: no leading `$`, no `.`, no NUL. */
function isStorableKey(key: string): boolean {
  return !key.startsWith('$') && !/[.\0]/.test(key);
}

/**
 * A plain object of at most `maxBytes` (as JSON) whose values are strings, numbers, booleans or
 * null, and whose keys can be stored as field names (otherwise the insert fails after validation).
 */
export function IsFlatObject(maxBytes: number, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'isFlatObject',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `$property must be a flat object (string, number, boolean or null values; keys without a leading $, a dot or NUL) of at most ${maxBytes} bytes`,
        ...options,
      },
      validator: {
        validate(value: unknown): boolean {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          if (Object.getPrototypeOf(value) !== Object.prototype) return false;
          if (!Object.keys(value).every(isStorableKey)) return false;
          const flat = Object.values(value).every(
            (v) => v === null || ['string', 'number', 'boolean'].includes(typeof v),
          );
          return flat && Buffer.byteLength(JSON.stringify(value)) <= maxBytes;
        },
      },
    });
  };
}
