#!/usr/bin/env node
import { MespotterError } from '../core/errors.js';
import { createProgram } from './program.js';

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
