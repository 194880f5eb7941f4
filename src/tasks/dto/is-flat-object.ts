import { registerDecorator, type ValidationOptions } from 'class-validator';

/** A plain object of at most `maxBytes` (as JSON) whose values are strings, numbers, booleans or null. */
export function IsFlatObject(maxBytes: number, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'isFlatObject',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `$property must be a flat object (string, number, boolean or null values) of at most ${maxBytes} bytes`,
        ...options,
      },
      validator: {
        validate(value: unknown): boolean {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          if (Object.getPrototypeOf(value) !== Object.prototype) return false;
          const flat = Object.values(value).every(
            (v) => v === null || ['string', 'number', 'boolean'].includes(typeof v),
          );
          return flat && Buffer.byteLength(JSON.stringify(value)) <= maxBytes;
        },
      },
    });
  };
}
