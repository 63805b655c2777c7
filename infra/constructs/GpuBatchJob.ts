import { Duration, Size } from 'aws-cdk-lib';
import {
  EcsEc2ContainerDefinition,
  EcsJobDefinition,
  JobQueue,
  ManagedEc2EcsComputeEnvironment,
} from 'aws-cdk-lib/aws-batch';
import { InstanceType, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { ContainerImage, LogDrivers } from 'aws-cdk-lib/aws-ecs';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface GpuBatchJobProps {
  /** Repository root: the image is built from it with gpu-batch/Dockerfile. */
  projectRoot: string;
  /** Where the job's photos are read and its analyses and lines written. */
  verifyQueue: IQueue;
  /** The detect queue: photos the job could not finish go back to the Lambda path and its DLQ. */
  handOffQueue: IQueue;
  environment: Record<string, string>;
  instanceType: string;
  maxvCpus: number;
}

/**
 * The AWS Batch GPU path for large runs: GPU instances that scale from zero, a job queue, and a
 * job definition running gpu-batch/main.ts (the detect stage on CUDA). Ingest submits to it.
 */
export class GpuBatchJob extends Construct {
  readonly jobQueue: JobQueue;
  readonly jobDefinition: EcsJobDefinition;
  readonly jobRole: Role;

  constructor(scope: Construct, id: string, props: GpuBatchJobProps) {
    super(scope, id);
    // Public subnets and no NAT gateway: the instances only talk to S3, SQS and ECR.
    const vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: SubnetType.PUBLIC }],
    });
    const compute = new ManagedEc2EcsComputeEnvironment(this, 'Compute', {
      vpc,
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
      instanceTypes: [new InstanceType(props.instanceType)],
      useOptimalInstanceClasses: false,
      minvCpus: 0,
      maxvCpus: props.maxvCpus,
    });
    this.jobQueue = new JobQueue(this, 'Queue', {
      computeEnvironments: [{ computeEnvironment: compute, order: 1 }],
    });
    this.jobRole = new Role(this, 'JobRole', { assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com') });
    props.verifyQueue.grantSendMessages(this.jobRole);
    props.handOffQueue.grantSendMessages(this.jobRole);
    this.jobDefinition = new EcsJobDefinition(this, 'Job', {
      container: new EcsEc2ContainerDefinition(this, 'Container', {
        image: ContainerImage.fromAsset(props.projectRoot, {
          file: 'gpu-batch/Dockerfile',
          exclude: ['node_modules', 'dist', 'cdk.out', '.bench-data', 'example-out', '.git'],
        }),
        cpu: 4,
        memory: Size.gibibytes(14),
        gpu: 1,
        jobRole: this.jobRole,
        environment: props.environment,
        // Its own log group with the functions' retention (Batch's default group keeps logs forever).
        logging: LogDrivers.awsLogs({
          streamPrefix: 'mespotter-gpu',
          logGroup: new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH }),
        }),
      }),
      // The container retries each photo itself; a lost instance (spot, hardware) retries the job,
      // and photos already analysed come from the faces index.
      retryAttempts: 2,
      timeout: Duration.hours(12),
    });
  }
}
