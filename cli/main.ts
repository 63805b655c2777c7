#!/usr/bin/env node
import { Command } from 'commander';
import { MespotterError } from '../core/errors.js';
import { calibrateCommand } from './commands/calibrateCommand.js';
import { compareCommand } from './commands/compareCommand.js';
import { enrollCommand } from './commands/enrollCommand.js';
import { sortCommand } from './commands/sortCommand.js';

const program = new Command('mespotter')
  .description('Find every photo of a person in a photo collection and copy those photos out.')
  .version('0.1.0')
  .addCommand(enrollCommand())
  .addCommand(sortCommand())
  .addCommand(compareCommand())
  .addCommand(calibrateCommand());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Expected failures get one clear line; anything else keeps its stack for a bug report.
  if (error instanceof MespotterError) {
    console.error(`mespotter: ${error.message}`);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
