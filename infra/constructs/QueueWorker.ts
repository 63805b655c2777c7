import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import {
  Architecture,
  type Code,
  type ILayerVersion,
  Function as LambdaFunction,
  Runtime,
} from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface QueueWorkerProps {
  /** The bundled handler (see bundleHandlers); exports `handler`. */
  code: Code;
  description: string;
  timeout: Duration;
  memorySize: number;
  batchSize: number;
  maxBatchingWindow?: Duration;
  maxConcurrency: number;
  /** Receives before a message goes to the DLQ. */
  maxReceiveCount?: number;
  /** How long the DLQ keeps a message, counted from when it was first sent (SQS: 1 min to 14 days). */
  dlqRetention?: Duration;
  layers?: ILayerVersion[];
  environment?: Record<string, string>;
  /** Default arm64 (cheaper per GB-second). */
  architecture?: Architecture;
}

/** Lambda's guidance: a queue's visibility timeout at least 6x the consuming function's timeout. */
export const VISIBILITY_FACTOR = 6;

/**
 * A queue with its DLQ, the function that consumes it (Node 22, arm64 by default, partial batch responses) and alarms on DLQ depth and function errors. Used four times.
 */
export class QueueWorker extends Construct {
  readonly queue: Queue;
  readonly dlq: Queue;
  readonly fn: LambdaFunction;
  readonly dlqAlarm: Alarm;
  readonly errorAlarm: Alarm;

  constructor(scope: Construct, id: string, props: QueueWorkerProps) {
    super(scope, id);
    this.dlq = new Queue(this, 'Dlq', {
      retentionPeriod: props.dlqRetention ?? Duration.days(7),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.queue = new Queue(this, 'Queue', {
      visibilityTimeout: Duration.seconds(props.timeout.toSeconds() * VISIBILITY_FACTOR),
      retentionPeriod: Duration.days(4),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.dlq, maxReceiveCount: props.maxReceiveCount ?? 3 },
    });
    this.fn = new LambdaFunction(this, 'Function', {
      code: props.code,
      handler: 'index.handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: props.architecture ?? Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      layers: props.layers,
      logGroup: new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH }),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: id.toLowerCase(),
        POWERTOOLS_METRICS_NAMESPACE: 'mespotter',
        ...props.environment,
      },
    });
    this.fn.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: props.batchSize,
        maxBatchingWindow: props.maxBatchingWindow,
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency,
      }),
    );
    this.dlqAlarm = new Alarm(this, 'DlqAlarm', {
      alarmDescription: `${id}: messages in the dead-letter queue (photos without a result line)`,
      metric: this.dlq.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.errorAlarm = new Alarm(this, 'ErrorAlarm', {
      alarmDescription: `${id}: function invocations failed as a whole`,
      metric: this.fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
