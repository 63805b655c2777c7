import { Command } from 'commander';
import { calibrateCommand } from './commands/calibrateCommand.js';
import { compareCommand } from './commands/compareCommand.js';
import { enrollCommand } from './commands/enrollCommand.js';
import { sortCommand } from './commands/sortCommand.js';
import { teacherCommand } from './commands/teacherCommand.js';

/** The `mespotter` command tree; built fresh per call so tests can run it in-process. */
export const createProgram = (): Command =>
  new Command('mespotter')
    .description('Find every photo of a person in a photo collection and copy those photos out.')
    .version('0.1.0')
    .addCommand(enrollCommand())
    .addCommand(sortCommand())
    .addCommand(compareCommand())
    .addCommand(calibrateCommand())
    .addCommand(teacherCommand());
