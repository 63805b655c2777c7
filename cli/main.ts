#!/usr/bin/env node
import { MespotterError } from '../core/errors.js';
import { createProgram } from './program.js';

// `mespotter sort … | head` closes stdout early: that is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

try {
  await createProgram().parseAsync(process.argv);
} catch (error) {
  // Expected failures get one clear line; anything else keeps its stack for a bug report.
  if (error instanceof MespotterError) {
    console.error(`mespotter: ${error.message}`);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
