import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { SseStreams } from '../events/sse-streams';
import { ApiMetrics } from './api-metrics';

/** Keeps `agent_orchestrator_sse_connections` at the number of event streams this api has open. */
@Injectable()
export class SseConnectionsGauge implements OnModuleInit, OnModuleDestroy {
  private unwatch?: () => void;

  constructor(
    private readonly streams: SseStreams,
    private readonly metrics: ApiMetrics,
  ) {}

  onModuleInit(): void {
    this.unwatch = this.streams.watch((open) => this.metrics.sseConnections.set(open));
  }

  onModuleDestroy(): void {
    this.unwatch?.();
  }
}
