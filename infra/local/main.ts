import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalCloud } from './LocalCloud.js';

/**
 * `npm run cloud:local [-- --port 4566]`: the pipeline on this machine until Ctrl-C. Point any
 * S3/SQS client at the printed endpoint (path-style S3) and drop photos into incoming/.
 */
const args = process.argv.slice(2);
const portAt = args.indexOf('--port');
const cloud = await LocalCloud.start({
  projectRoot: join(dirname(fileURLToPath(import.meta.url)), '..', '..'),
  port: portAt >= 0 ? Number(args[portAt + 1]) : 4566,
  environment: { POWERTOOLS_LOG_LEVEL: 'INFO' },
  onInvoke: (i) => {
    const failed = i.failed ? ` (${i.failed} failed${i.error ? `: ${String(i.error)}` : ''})` : '';
    console.log(`${i.name}: ${i.records} message(s) in ${Math.round(i.ms)} ms${failed}`);
  },
});
console.log(`mespotter local cloud on ${cloud.endpoint} (127.0.0.1 only)
  bucket: ${cloud.bucket}
  try:    AWS_ENDPOINT_URL=${cloud.endpoint} AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1 \\
          aws s3 cp photo.jpg s3://${cloud.bucket}/incoming/photo.jpg
  queues: ${Object.values(cloud.queues)
    .map((q) => q.name)
    .join(', ')} (each with a -dlq)
Ctrl-C to stop.`);
const stop = async (): Promise<void> => {
  await cloud.stop();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
