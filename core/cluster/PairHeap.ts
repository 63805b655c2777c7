/**
 * Max-heap of candidate merges (similarity, two group roots and the versions they had when the
 * entry was pushed), in parallel typed arrays: millions of entries at 100k faces. Ties pop the
 * lower (a, b) first so the order never depends on how entries were pushed.
 */
export class PairHeap {
  #size = 0;
  #sim = new Float64Array(1024);
  #a = new Int32Array(1024);
  #b = new Int32Array(1024);
  #va = new Int32Array(1024);
  #vb = new Int32Array(1024);

  get size(): number {
    return this.#size;
  }

  push(sim: number, a: number, b: number, va: number, vb: number): void {
    if (this.#size === this.#sim.length) this.#grow();
    let i = this.#size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#before(sim, a, b, p)) break;
      this.#move(p, i);
      i = p;
    }
    this.#set(i, sim, a, b, va, vb);
  }

  /** Writes the top entry into `out` and removes it; false when empty. */
  pop(out: { sim: number; a: number; b: number; va: number; vb: number }): boolean {
    if (this.#size === 0) return false;
    out.sim = this.#sim[0]!;
    out.a = this.#a[0]!;
    out.b = this.#b[0]!;
    out.va = this.#va[0]!;
    out.vb = this.#vb[0]!;
    const last = --this.#size;
    if (last === 0) return true;
    const sim = this.#sim[last]!;
    const a = this.#a[last]!;
    const b = this.#b[last]!;
    const va = this.#va[last]!;
    const vb = this.#vb[last]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const r = l + 1;
      const c = r < last && this.#beforeSlot(r, l) ? r : l;
      if (!this.#beforeEntry(c, sim, a, b)) break;
      this.#move(c, i);
      i = c;
    }
    this.#set(i, sim, a, b, va, vb);
    return true;
  }

  /** Whether (sim, a, b) pops before slot p. */
  #before(sim: number, a: number, b: number, p: number): boolean {
    const s = this.#sim[p]!;
    if (sim !== s) return sim > s;
    const pa = this.#a[p]!;
    return a !== pa ? a < pa : b < this.#b[p]!;
  }

  #beforeSlot(x: number, y: number): boolean {
    return this.#before(this.#sim[x]!, this.#a[x]!, this.#b[x]!, y);
  }

  /** Whether slot c pops before (sim, a, b). */
  #beforeEntry(c: number, sim: number, a: number, b: number): boolean {
    const s = this.#sim[c]!;
    if (s !== sim) return s > sim;
    const ca = this.#a[c]!;
    return ca !== a ? ca < a : this.#b[c]! < b;
  }

  #move(from: number, to: number): void {
    this.#sim[to] = this.#sim[from]!;
    this.#a[to] = this.#a[from]!;
    this.#b[to] = this.#b[from]!;
    this.#va[to] = this.#va[from]!;
    this.#vb[to] = this.#vb[from]!;
  }

  #set(i: number, sim: number, a: number, b: number, va: number, vb: number): void {
    this.#sim[i] = sim;
    this.#a[i] = a;
    this.#b[i] = b;
    this.#va[i] = va;
    this.#vb[i] = vb;
  }

  #grow(): void {
    const n = this.#sim.length * 2;
    const grow = <T extends Float64Array | Int32Array>(old: T, make: (n: number) => T): T => {
      const x = make(n);
      x.set(old);
      return x;
    };
    this.#sim = grow(this.#sim, (m) => new Float64Array(m));
    this.#a = grow(this.#a, (m) => new Int32Array(m));
    this.#b = grow(this.#b, (m) => new Int32Array(m));
    this.#va = grow(this.#va, (m) => new Int32Array(m));
    this.#vb = grow(this.#vb, (m) => new Int32Array(m));
  }
}
