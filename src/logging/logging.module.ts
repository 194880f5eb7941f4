import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { type DynamicModule, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { type DestinationStream, destination } from 'pino';
import { appConfig } from '../config';
import { dropBoundKeys } from './bound-keys';
import { REDACT_PATHS, redactUrl } from './redact';
import { resolveRequestId } from './request-id';

const QUIET_PATHS = /^\/(health|metrics)(\/|$|\?)/;

interface SerializedRequest {
  method?: string;
  url?: string;
  headers?: Record<string, unknown>;
  remoteAddress?: string;
}

interface SerializedResponse {
  statusCode?: number;
  headers?: Record<string, unknown>;
}

/**
 * JSON lines an aggregator accepts: snake_case keys, no key twice in a line, `hostname` and
 * `pid` on every line, `request_id` on every line of a request; request and response headers
 * only at debug level. With tracing on, OpenTelemetry's pino instrumentation adds `trace_id`,
 * `span_id` and `trace_flags` to every line written inside a span.
 */
@Module({})
export class LoggingModule {
  static forRoot(options: { mode: string; destination?: DestinationStream }): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [appConfig.KEY],
          useFactory: (app: ConfigType<typeof appConfig>) => {
            const withHeaders = app.logLevel === 'debug';
            return {
              pinoHttp: [
                {
                  level: app.logLevel,
                  base: {
                    pid: process.pid,
                    hostname: hostname(),
                    service: app.name,
                    mode: options.mode,
                    env: app.environment,
                  },
                  timestamp: () => `,"time":"${new Date().toISOString()}"`,
                  formatters: { level: (label: string) => ({ level: label }) },
                  hooks: { logMethod: dropBoundKeys },
                  redact: { paths: REDACT_PATHS, censor: '[redacted]' },
                  genReqId: (req: IncomingMessage, res: ServerResponse) => {
                    const id = resolveRequestId(req.headers['x-request-id']);
                    res.setHeader('X-Request-Id', id);
                    return id;
                  },
                  // Every line logged during a request is bound to its id, and only to it:
                  // the request itself is described once, on the "request completed" line.
                  quietReqLogger: true,
                  customAttributeKeys: { reqId: 'request_id', responseTime: 'response_time_ms' },
                  autoLogging: {
                    ignore: (req: IncomingMessage) => QUIET_PATHS.test(req.url ?? ''),
                  },
                  serializers: {
                    req: (req: SerializedRequest) => ({
                      method: req.method,
                      url: redactUrl(req.url ?? ''),
                      remote_address: req.remoteAddress,
                      ...(withHeaders ? { headers: req.headers } : {}),
                    }),
                    res: (res: SerializedResponse) => ({
                      status_code: res.statusCode,
                      ...(withHeaders ? { headers: res.headers } : {}),
                    }),
                  },
                },
                options.destination ?? destination({ dest: 1, sync: true }),
              ],
            };
          },
        }),
      ],
    };
  }
}
