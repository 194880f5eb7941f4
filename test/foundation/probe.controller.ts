import { Body, Controller, Get, Post } from '@nestjs/common';
import { IsInt, IsNotEmpty, IsString, Max, Min } from 'class-validator';
import { CurrentAuth, type RequestAuth } from '../../src/auth';

export class ProbeDto {
  @IsString()
  @IsNotEmpty()
  name!: string;

  @IsInt()
  @Min(1)
  @Max(10)
  count!: number;
}

/**
 * A test-only controller behind the real guard, pipe and filter, so the foundation's HTTP
 * behaviour can be shown before the product's own /v1 routes exist.
 */
@Controller('v1/probe')
export class ProbeController {
  @Post()
  echo(
    @Body() body: ProbeDto,
    @CurrentAuth() auth: RequestAuth,
  ): { body: ProbeDto; api_key_id: string | null } {
    return { body, api_key_id: auth.apiKeyId };
  }

  @Get('boom')
  boom(): never {
    throw new Error('database password is hunter2');
  }
}
