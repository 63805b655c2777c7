import { ConfigError } from '../errors.js';

/**
 * Token-bucket rate limit with reservations: `reserve` hands out the next free slot and says how
 * long to wait for it, so concurrent callers queue in order instead of polling. Time comes from
 * `now` (milliseconds) so tests can drive it.
 */
export class TokenBucket {
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly #now: () => number;
  /** May go negative: reservations made ahead of the refill. */
  #tokens: number;
  #last: number;

  constructor(ratePerSecond: number, burst?: number, now: () => number = () => performance.now()) {
    if (!Number.isFinite(ratePerSecond) || ratePerSecond <= 0) {
      throw new ConfigError(`rate must be a positive number of calls per second (got ${ratePerSecond})`);
    }
    this.ratePerSecond = ratePerSecond;
    this.burst = burst ?? Math.max(1, Math.floor(ratePerSecond));
    if (!Number.isFinite(this.burst) || this.burst < 1)
      throw new ConfigError(`burst must be >= 1 (got ${this.burst})`);
    this.#now = now;
    this.#tokens = this.burst;
    this.#last = now();
  }

  /**
   * Takes one token. Returns the milliseconds the caller must wait before using it (0: now), or
   * undefined, taking nothing, when that wait would exceed `maxWaitMs`.
   */
  reserve(maxWaitMs = Number.POSITIVE_INFINITY): number | undefined {
    const t = this.#now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((t - this.#last) * this.ratePerSecond) / 1000);
    this.#last = t;
    const wait = this.#tokens >= 1 ? 0 : ((1 - this.#tokens) * 1000) / this.ratePerSecond;
    if (wait > maxWaitMs) return undefined;
    this.#tokens -= 1;
    return wait;
  }
}
