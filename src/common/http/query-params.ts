import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, registerDecorator, type ValidationArguments } from 'class-validator';
import { parseIsoDate, parseIsoDateTime } from '../time/strict-dates';

/*
 * The one way a query parameter is read, per kind of value. Each decorator both validates the
 * raw text strictly and documents exactly that rule in the OpenAPI document, so the two cannot
 * drift apart. A parameter given twice (`?page=1&page=2`) arrives as an array and is refused.
 */

const DECIMAL = /^[0-9]{1,16}$/;

interface Rule {
  name: string;
  test: (value: unknown) => boolean;
  message: (property: string) => string;
}

function rule({ name, test, message }: Rule): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: (args: ValidationArguments) =>
          Array.isArray(args.value)
            ? `${args.property} must be given once`
            : message(args.property),
      },
      validator: { validate: test },
    });
}

/**
 * An integer query parameter from `min` to `max`, written in plain decimal digits: `1e3`,
 * `1.0`, `+1`, ` 1` and `9e307` are refused, never turned into a float or Infinity.
 */
export function IntegerQuery(options: {
  min: number;
  max: number;
  default: number;
  description?: string;
}): PropertyDecorator {
  const { min, max } = options;
  return applyDecorators(
    ApiPropertyOptional({
      type: 'integer',
      minimum: min,
      maximum: max,
      default: options.default,
      description: options.description,
    }),
    IsOptional(),
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value,
    ),
    rule({
      name: 'integerQuery',
      test: (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max,
      message: (p) => `${p} must be an integer from ${min} to ${max}`,
    }),
  );
}

/** A calendar date query parameter, `YYYY-MM-DD` (RFC 3339 full-date), a real day of the year. */
export function DateQuery(options: { description: string; example: string }): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: 'string', format: 'date', ...options }),
    IsOptional(),
    rule({
      name: 'dateQuery',
      test: (v) => typeof v === 'string' && parseIsoDate(v) !== undefined,
      message: (p) => `${p} must be a real calendar date written YYYY-MM-DD`,
    }),
  );
}

/** A timestamp query parameter: an RFC 3339 date-time with its zone (`2026-01-04T12:00:00Z`). */
export function DateTimeQuery(options: {
  description: string;
  example: string;
}): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: 'string', format: 'date-time', ...options }),
    IsOptional(),
    rule({
      name: 'dateTimeQuery',
      test: (v) => typeof v === 'string' && parseIsoDateTime(v) !== undefined,
      message: (p) =>
        `${p} must be an RFC 3339 date-time with a time zone, e.g. 2026-01-04T12:00:00Z`,
    }),
  );
}
