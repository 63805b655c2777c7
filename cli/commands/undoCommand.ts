import { Command } from 'commander';
import { LibraryEdits } from '../../core/library/LibraryEdits.js';
import { openLibrary, parsePositiveInt } from '../engineOptions.js';

/** `mespotter undo`: the last enrolment, naming, merge, split, confirm, reject or cluster run, taken back. */
export const undoCommand = (): Command =>
  new Command('undo')
    .description(
      'undo the last change to people and clusters (enroll, cluster name/merge/split, review, a cluster run)',
    )
    .option(
      '--action <id>',
      'undo this action instead of the last (refused if a later one built on it)',
      parsePositiveInt,
    )
    .option('--list', 'show the recent actions instead, newest first')
    .option('--json', 'with --list: one JSON line per action')
    .option(
      '--library <path>',
      'people library (default $MESPOTTER_LIBRARY, else ~/.local/share/mespotter/library.db)',
    )
    .action(async (o: { action?: number; list?: boolean; json?: boolean; library?: string }) => {
      const library = openLibrary(o, Boolean(o.list));
      try {
        const edits = new LibraryEdits(library);
        if (o.list) {
          const actions = edits.actions(50);
          if (o.json) for (const a of actions) console.log(JSON.stringify(a));
          else if (actions.length === 0) console.log('no actions yet');
          else
            for (const a of actions)
              console.log(
                `${a.id}  ${a.createdAt}  ${a.summary}${a.undoneAt ? `  (undone ${a.undoneAt})` : ''}`,
              );
          return;
        }
        const { undone } = edits.undo(o.action);
        console.log(`undid: ${undone.summary}`);
      } finally {
        library.close();
      }
    });
