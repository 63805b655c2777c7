interface Slot<T> {
  item: T;
  score: number;
  /** Arrival order: among equal scores the earlier one is kept. */
  seq: number;
}

/**
 * The `capacity` highest-scoring items seen so far, in O(log capacity) per offer (a min-heap on
 * score), so a run with a million near misses does not scan the kept ones for every photo.
 */
export class TopK<T> {
  private readonly heap: Slot<T>[] = [];
  private seq = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.heap.length;
  }

  /** Whether `offer` with this score would keep the item (ties lose to the ones already kept). */
  wouldKeep(score: number): boolean {
    if (this.capacity <= 0) return false;
    const lowest = this.heap[0];
    return this.heap.length < this.capacity || (lowest !== undefined && score > lowest.score);
  }

  /** Keeps the item if it is among the best; returns whether it was kept and what it pushed out. */
  offer(item: T, score: number): { kept: boolean; evicted?: T } {
    if (!this.wouldKeep(score)) return { kept: false };
    const slot = { item, score, seq: this.seq++ };
    if (this.heap.length < this.capacity) {
      this.heap.push(slot);
      this.up(this.heap.length - 1);
      return { kept: true };
    }
    const evicted = this.heap[0]!.item;
    this.heap[0] = slot;
    this.down(0);
    return { kept: true, evicted };
  }

  /** The kept items, best first (ties in arrival order). */
  best(): T[] {
    return [...this.heap].sort((a, b) => b.score - a.score || a.seq - b.seq).map((s) => s.item);
  }

  /** `a` goes out before `b`: lower score, or the later of equal scores. */
  private lower(a: Slot<T>, b: Slot<T>): boolean {
    return a.score < b.score || (a.score === b.score && a.seq > b.seq);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.lower(h[i]!, h[parent]!)) return;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.lower(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.lower(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
