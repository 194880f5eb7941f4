/** What `holdNext()` hands a test: the request stays pending until `release()`. */
export interface HoldHandle {
  /** Lets the held response continue; safe to call more than once or before the request arrives. */
  release(): void;
  /** Resolves once a request has reached the hold (for streams: after the first chunks are out). */
  reached: Promise<void>;
}

/** The server's side of a hold: announce arrival, then wait on the gate. */
export interface ClaimedHold {
  gate: Promise<void>;
  arrive(): void;
}

interface Pending<Req> {
  match: (req: Req) => boolean;
  gate: Promise<void>;
  release: () => void;
  arrive: () => void;
}

/**
 * Holds registered by tests that want to observe a request in flight (cancel, worker-kill and
 * shutdown tests). Each hold is taken by exactly one request, the first that matches.
 */
export class PendingHolds<Req> {
  private pending: Pending<Req>[] = [];
  private readonly releasers = new Set<() => void>();

  add(match: (req: Req) => boolean = () => true): HoldHandle {
    let release!: () => void;
    let arrive!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const reached = new Promise<void>((resolve) => (arrive = resolve));
    this.releasers.add(release);
    this.pending.push({ match, gate, release, arrive });
    return {
      release: () => {
        this.releasers.delete(release);
        release();
      },
      reached,
    };
  }

  claim(req: Req): ClaimedHold | undefined {
    const index = this.pending.findIndex((p) => p.match(req));
    if (index < 0) return undefined;
    const [taken] = this.pending.splice(index, 1);
    return { gate: taken.gate, arrive: taken.arrive };
  }

  /** Lets every held response go, so a reset or close never leaves a handler waiting forever. */
  releaseAll(): void {
    for (const release of this.releasers) release();
    this.releasers.clear();
    this.pending = [];
  }
}
