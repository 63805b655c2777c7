import { Command } from 'commander';
import { calibrateCommand } from './commands/calibrateCommand.js';
import { cloudCommand } from './commands/cloudCommand.js';
import { compareCommand } from './commands/compareCommand.js';
import { enrollCommand } from './commands/enrollCommand.js';
import { sortCommand } from './commands/sortCommand.js';
import { teacherCommand } from './commands/teacherCommand.js';

/** Commander exits by itself on a usage error (status 1); ours must be 2, so every command throws instead. */
const throwInsteadOfExit = (cmd: Command): Command => {
  cmd.exitOverride();
  for (const sub of cmd.commands) throwInsteadOfExit(sub);
  return cmd;
};

/** The `mespotter` command tree; built fresh per call so tests can run it in-process. */
export const createProgram = (): Command =>
  throwInsteadOfExit(
    new Command('mespotter')
      .description('Find every photo of a person in a photo collection and copy those photos out.')
      .version('0.1.0')
      .addCommand(enrollCommand())
      .addCommand(sortCommand())
      .addCommand(compareCommand())
      .addCommand(calibrateCommand())
      .addCommand(teacherCommand())
      .addCommand(cloudCommand()),
  );
