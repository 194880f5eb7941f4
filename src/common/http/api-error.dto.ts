import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import { ERROR_HTTP_STATUS, type ErrorCode } from '../errors';

class ApiErrorBody {
  @ApiProperty({ example: 'VALIDATION_ERROR', description: 'Stable machine-readable code.' })
  code!: string;

  @ApiProperty({ example: 'Request validation failed.' })
  message!: string;

  @ApiPropertyOptional({
    description: 'For VALIDATION_ERROR: the failing fields.',
    example: [{ field: 'task', message: 'task should not be empty' }],
  })
  details?: unknown;
}

/** The error envelope every failing request answers with. */
export class ApiErrorEnvelope {
  @ApiProperty({ type: ApiErrorBody })
  error!: ApiErrorBody;
}

/** Documents the error responses a route can give, each with the envelope schema. */
export function ApiErrors(...codes: ErrorCode[]): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_HTTP_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return applyDecorators(
    ...[...byStatus].map(([status, list]) =>
      ApiResponse({
        status,
        type: ApiErrorEnvelope,
        description: `Error envelope with code ${list.join(' or ')}.`,
      }),
    ),
  );
}
