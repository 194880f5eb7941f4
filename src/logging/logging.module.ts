import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DynamicModule, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { type DestinationStream, destination } from 'pino';
import { appConfig } from '../config';
import { traceLogFields } from '../tracing/trace-log-fields';
import { REDACT_PATHS, redactUrl } from './redact';
import { resolveRequestId } from './request-id';

/** Where log lines go. Tests provide a capturing stream; otherwise stdout. */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

const QUIET_PATHS = /^\/(health|metrics)(\/|$|\?)/;

interface SerializedRequest {
  id?: unknown;
  method?: string;
  url?: string;
  query?: unknown;
  params?: unknown;
  headers?: Record<string, unknown>;
  remoteAddress?: string;
}

@Module({})
export class LoggingModule {
  static forRoot(options: { mode: string; destination?: DestinationStream }): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [appConfig.KEY],
          useFactory: (app: ConfigType<typeof appConfig>) => ({
            pinoHttp: [
              {
                level: app.logLevel,
                base: { service: app.name, mode: options.mode, env: app.environment },
                timestamp: () => `,"time":"${new Date().toISOString()}"`,
                formatters: { level: (label: string) => ({ level: label }) },
                redact: { paths: REDACT_PATHS, censor: '[redacted]' },
                genReqId: (req: IncomingMessage, res: ServerResponse) => {
                  const id = resolveRequestId(req.headers['x-request-id']);
                  res.setHeader('X-Request-Id', id);
                  return id;
                },
                customProps: (req: IncomingMessage) => ({ request_id: req.id }),
                // trace_id / span_id of the active span, when tracing is on.
                mixin: traceLogFields,
                autoLogging: { ignore: (req: IncomingMessage) => QUIET_PATHS.test(req.url ?? '') },
                serializers: {
                  req: (req: SerializedRequest) => ({
                    method: req.method,
                    url: redactUrl(req.url ?? ''),
                    remoteAddress: req.remoteAddress,
                    headers: req.headers,
                  }),
                },
              },
              options.destination ?? destination({ dest: 1, sync: true }),
            ],
          }),
        }),
      ],
    };
  }
}
