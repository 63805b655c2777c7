import { Command } from 'commander';
import { LibraryEdits } from '../../core/library/LibraryEdits.js';
import { openLibrary, parsePositiveInt } from '../engineOptions.js';

/** How many actions `undo --list` shows: those still in force, then the latest undone ones. */
const LIST_IN_FORCE = 50;
const LIST_UNDONE = 10;

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
    .option(
      '--list',
      `show the actions instead: the latest ${LIST_IN_FORCE} still in force, then the latest ${LIST_UNDONE} undone`,
    )
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
          // What undo can still take back first, so undone actions never crowd it out.
          const live = edits.actions(LIST_IN_FORCE, { undone: false });
          const undone = edits.actions(LIST_UNDONE, { undone: true });
          if (o.json) for (const a of [...live, ...undone]) console.log(JSON.stringify(a));
          else if (live.length + undone.length === 0) console.log('no actions yet');
          else {
            console.log(live.length ? 'in force, newest first:' : 'nothing in force (nothing to undo)');
            for (const a of live) console.log(`${a.id}  ${a.createdAt}  ${a.summary}`);
            if (undone.length) console.log('undone, newest first:');
            for (const a of undone)
              console.log(`${a.id}  ${a.createdAt}  ${a.summary}  (undone ${a.undoneAt})`);
          }
          return;
        }
        const { undone } = edits.undo(o.action);
        console.log(`undid: ${undone.summary}`);
      } finally {
        library.close();
      }
    });
