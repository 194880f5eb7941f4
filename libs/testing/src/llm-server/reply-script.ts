/** Where the reply to a request came from; `unscripted` means nothing matched and no default is set. */
export type ReplySource = 'queue' | 'rule' | 'default' | 'unscripted';

export interface RuleOptions {
  /** How many requests the rule answers before it stops matching (unlimited when absent). */
  times?: number;
}

/** A live view of one rule, so a test can check how often it fired or take it away again. */
export interface ScriptRule {
  readonly hits: number;
  readonly exhausted: boolean;
  remove(): void;
}

export interface PickedReply<Reply> {
  /** Absent when nothing matched and no default reply is set. */
  reply?: Reply;
  source: ReplySource;
}

interface Rule<Req, Reply> {
  match: (req: Req) => boolean;
  reply: Reply;
  remaining: number;
  hits: number;
  removed: boolean;
}

/**
 * What a test server answers, decided per request: queued replies first (FIFO), then rules
 * newest first so a test can override a broader rule set up earlier, then the default.
 */
export class ReplyScript<Req, Reply> {
  private rules: Rule<Req, Reply>[] = [];
  private queue: Reply[] = [];
  private fallback?: Reply;

  constructor(private readonly initialDefault?: Reply) {
    this.fallback = initialDefault;
  }

  when(match: (req: Req) => boolean, reply: Reply, options: RuleOptions = {}): ScriptRule {
    const times = options.times ?? Number.POSITIVE_INFINITY;
    if (!(times > 0)) throw new Error(`times must be positive, got ${times}`);
    const rule: Rule<Req, Reply> = { match, reply, remaining: times, hits: 0, removed: false };
    this.rules.push(rule);
    return {
      get hits() {
        return rule.hits;
      },
      get exhausted() {
        return rule.remaining <= 0;
      },
      remove: () => {
        rule.removed = true;
        this.rules = this.rules.filter((r) => r !== rule);
      },
    };
  }

  enqueue(...replies: Reply[]): void {
    this.queue.push(...replies);
  }

  /** `undefined` restores the default the script was created with. */
  setDefault(reply: Reply | undefined): void {
    this.fallback = reply ?? this.initialDefault;
  }

  get queued(): number {
    return this.queue.length;
  }

  pick(req: Req): PickedReply<Reply> {
    const queued = this.queue.shift();
    if (queued !== undefined) return { reply: queued, source: 'queue' };
    for (let i = this.rules.length - 1; i >= 0; i--) {
      const rule = this.rules[i];
      if (rule.removed || rule.remaining <= 0 || !rule.match(req)) continue;
      rule.remaining -= 1;
      rule.hits += 1;
      return { reply: rule.reply, source: 'rule' };
    }
    if (this.fallback !== undefined) return { reply: this.fallback, source: 'default' };
    return { source: 'unscripted' };
  }

  reset(): void {
    for (const rule of this.rules) rule.removed = true;
    this.rules = [];
    this.queue = [];
    this.fallback = this.initialDefault;
  }
}
