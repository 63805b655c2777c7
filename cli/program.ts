import { Command } from 'commander';
import { calibrateCommand } from './commands/calibrateCommand.js';
import { cloudCommand } from './commands/cloudCommand.js';
import { clusterCommand } from './commands/clusterCommand.js';
import { compareCommand } from './commands/compareCommand.js';
import { enrollCommand } from './commands/enrollCommand.js';
import { indexCommand } from './commands/indexCommand.js';
import { libraryCommand } from './commands/libraryCommand.js';
import { peopleCommand } from './commands/peopleCommand.js';
import { reviewCommand } from './commands/reviewCommand.js';
import { sortCommand } from './commands/sortCommand.js';
import { tagCommand } from './commands/tagCommand.js';
import { teacherCommand } from './commands/teacherCommand.js';
import { undoCommand } from './commands/undoCommand.js';
import { whoCommand } from './commands/whoCommand.js';
import { refuseEmptyPaths } from './refuseEmptyPaths.js';

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
      .description('Find the people in a photo collection: copy out every photo of them, say who is where.')
      .version('0.1.0')
      .hook('preAction', refuseEmptyPaths)
      .addCommand(enrollCommand())
      .addCommand(indexCommand())
      .addCommand(sortCommand())
      .addCommand(whoCommand())
      .addCommand(tagCommand())
      .addCommand(peopleCommand())
      .addCommand(clusterCommand())
      .addCommand(undoCommand())
      .addCommand(reviewCommand())
      .addCommand(libraryCommand())
      .addCommand(compareCommand())
      .addCommand(calibrateCommand())
      .addCommand(teacherCommand())
      .addCommand(cloudCommand()),
  );
