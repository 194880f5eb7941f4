import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsFlatObject } from './is-flat-object';

export const MAX_METADATA_BYTES = 4096;

export class CreateTaskDto {
  @ApiProperty({
    description:
      'The task in natural language, any language. At most MAX_TASK_CHARS characters (8000 by default).',
    example: 'Python ile bir dosyayı okuyup yazan kod yaz',
  })
  @IsString()
  @Matches(/\S/, { message: 'task must not be empty' })
  task!: string;

  @ApiPropertyOptional({
    description:
      'Continue a session (created if absent), or omit for a new one. Letters, digits, _ and -.',
    example: 'df4595b5-34c8-4a05-9e07-c2835c7f20ea',
    maxLength: 128,
  })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'session_id may contain only letters, digits, _ and -' })
  session_id?: string;

  @ApiPropertyOptional({
    description: 'Skip routing and run this registered agent (e.g. CodeAgent).',
    example: 'CodeAgent',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  agent?: string;

  @ApiPropertyOptional({
    description:
      'Called with a signed JSON summary (Standard Webhooks) when the task finishes. Public http(s) URLs only.',
    example: 'https://example.com/hooks/agent-tasks',
    maxLength: 2048,
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  webhook_url?: string;

  @ApiPropertyOptional({
    description: 'Your own flat key/value data, stored with the task (at most 4 KB).',
    example: { ticket: 'OPS-42' },
    type: 'object',
    additionalProperties: true,
  })
  @IsOptional()
  @IsFlatObject(MAX_METADATA_BYTES)
  metadata?: Record<string, string | number | boolean | null>;
}
