/**
 * Whether a task may carry a `webhook_url`. The webhooks module provides it (it knows the secret
 * and which addresses are private); the composition root hands it to TasksApiModule.register(),
 * since webhooks reads tasks and so imports this folder.
 */
export abstract class WebhookTargets {
  /** Why `url` may not be used, or undefined when it may. */
  abstract problem(url: string): Promise<string | undefined>;
}
