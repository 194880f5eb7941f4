import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { webhooksConfig } from '../config';
import { WebhookTargets } from '../tasks/webhook-targets';
import { webhookUrlProblem } from './webhook-url';

/** The webhook_url a task may be submitted with: webhooks enabled, and a public http(s) target. */
@Injectable()
export class WebhookTargetPolicy extends WebhookTargets {
  constructor(
    @Inject(webhooksConfig.KEY) private readonly config: ConfigType<typeof webhooksConfig>,
  ) {
    super();
  }

  problem(url: string): Promise<string | undefined> {
    if (!this.config.secret) {
      return Promise.resolve('webhooks are not enabled on this server (WEBHOOK_SECRET is not set)');
    }
    return webhookUrlProblem(url, this.config.allowPrivate);
  }
}
