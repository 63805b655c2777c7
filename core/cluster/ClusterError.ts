import { MespotterError } from '../errors.js';

/** Inconsistent clustering input (a face in two clusters, an unknown cluster id, bad parameters). */
export class ClusterError extends MespotterError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('cluster_error', message, options);
    this.name = 'ClusterError';
  }
}
