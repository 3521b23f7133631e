export interface AckPlan {
  /** Ack this tag with `allUpTo`: every outstanding tag up to it is in the set to ack. */
  readonly upTo: number | undefined;
  /** Tags to ack one by one (an unsettled delivery sits below them). */
  readonly singles: number[];
}

/**
 * Turns "ack these deliveries" into the fewest ack frames without acking anything else: one
 * `allUpTo` ack covers the longest run of outstanding tags, from the lowest, that are all to be
 * acked; the rest go singly. A multiple-ack that swept up a delivery still waiting for its
 * retry/dead-letter copy to be confirmed would lose that message if the process died then.
 */
export function planAcks(outstanding: Iterable<number>, toAck: ReadonlySet<number>): AckPlan {
  const sorted = [...outstanding].sort((a, b) => a - b);
  let upTo: number | undefined;
  let index = 0;
  while (index < sorted.length && toAck.has(sorted[index])) {
    upTo = sorted[index];
    index += 1;
  }
  const covered = new Set(sorted.slice(0, index));
  const singles = [...toAck].filter((tag) => !covered.has(tag)).sort((a, b) => a - b);
  // One tag is one frame either way; a plain ack reads better in a trace.
  if (index === 1) {
    return { upTo: undefined, singles: [sorted[0], ...singles].sort((a, b) => a - b) };
  }
  return { upTo, singles };
}

/**
 * The deliveries of one channel that are neither acked nor nacked yet. Delivery tags are
 * per-channel, so a new channel gets a new tracker and settling an old channel's tag is refused.
 */
export class OutstandingDeliveries {
  private readonly tags = new Set<number>();

  add(tag: number): void {
    this.tags.add(tag);
  }

  has(tag: number): boolean {
    return this.tags.has(tag);
  }

  get size(): number {
    return this.tags.size;
  }

  /** Plans acks for `tags` and forgets them. Tags not outstanding are ignored. */
  settle(tags: Iterable<number>): AckPlan {
    const toAck = new Set([...tags].filter((tag) => this.tags.has(tag)));
    const plan = planAcks(this.tags, toAck);
    for (const tag of toAck) {
      this.tags.delete(tag);
    }
    return plan;
  }

  /** Forgets tags settled some other way (nack). */
  forget(tags: Iterable<number>): void {
    for (const tag of tags) {
      this.tags.delete(tag);
    }
  }
}
