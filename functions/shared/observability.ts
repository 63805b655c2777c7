import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** One logger and one metrics object per function; names come from POWERTOOLS_* variables. */
export const createObservability = (serviceName: string): { logger: Logger; metrics: Metrics } => ({
  logger: new Logger({ serviceName }),
  metrics: new Metrics({
    serviceName,
    namespace: process.env['POWERTOOLS_METRICS_NAMESPACE'] ?? 'mespotter',
  }),
});

/** Publishes what the invocation recorded; an invocation with nothing to say stays silent. */
export const flushMetrics = (metrics: Metrics): void => {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
};
