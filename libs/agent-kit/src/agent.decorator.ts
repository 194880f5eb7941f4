import { DiscoveryService } from '@nestjs/core';
import type { AgentMeta } from './agent-meta';

/**
 * Marks an injectable class as an agent the Peer Agent can route to:
 *
 * ```ts
 * @Agent({ name: 'SqlAgent', type: 'sql', description: 'Writes and explains SQL queries.' })
 * @Injectable()
 * export class SqlAgent implements AgentHandler { async run(ctx) { ... } }
 * ```
 */
export const Agent = DiscoveryService.createDecorator<AgentMeta>();
