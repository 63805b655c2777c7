import type { Library } from '../../core/library/Library.js';
import { LibraryEdits } from '../../core/library/LibraryEdits.js';

/** One person or cluster in `cluster list`. */
export interface ClusterListRow {
  name: string;
  named: boolean;
  cluster: number | null;
  faces: number;
  photos: number;
}

/** Every person and cluster with faces: named people first (by name), then clusters largest first. */
export const clusterListing = (library: Library): ClusterListRow[] => {
  const edits = new LibraryEdits(library);
  const photoOf = library.db.prepare<{ photo_id: number }>('SELECT photo_id FROM faces WHERE id = ?');
  return library
    .allPeople()
    .map((p) => {
      const members = edits.membersOf(p.id);
      const photos = new Set(members.map((f) => photoOf.get(f)?.photo_id));
      return {
        name: p.name,
        named: p.named,
        cluster: p.clusterNo,
        faces: members.length,
        photos: photos.size,
      };
    })
    .filter((r) => r.faces > 0 || r.named)
    .sort((a, b) =>
      a.named !== b.named
        ? a.named
          ? -1
          : 1
        : a.named
          ? a.name.localeCompare(b.name)
          : b.faces - a.faces || (a.cluster ?? 0) - (b.cluster ?? 0),
    );
};
