import type { Library } from './Library.js';

/**
 * A cheap value that changes whenever people, human labels, cluster memberships, actions or
 * faces change (a sort run's own labels aside): what caches of the library and a cluster run's
 * "nothing changed meanwhile" check compare. Reads across processes: it is data, not a counter
 * of this connection's writes.
 */
export const libraryFingerprint = (library: Library): string =>
  JSON.stringify(
    library.db
      .prepare(
        `SELECT (SELECT MAX(id) FROM actions) AS a, (SELECT COUNT(*) FROM actions WHERE undone_at IS NULL) AS u,
           (SELECT MAX(id) FROM people) AS p, (SELECT COUNT(*) FROM people) AS n,
           (SELECT group_concat(name || ':' || named || ':' || IFNULL(cluster_no, '') || ':' || IFNULL(threshold, ''), ',') FROM people) AS names,
           (SELECT MAX(id) FROM labels WHERE kind != 'auto' OR source = 'cluster') AS l,
           (SELECT COUNT(*) FROM labels WHERE kind != 'auto' OR source = 'cluster') AS c,
           (SELECT MAX(created_at) FROM labels WHERE kind != 'auto' OR source = 'cluster') AS t,
           (SELECT MAX(id) FROM faces) AS f, (SELECT COUNT(*) FROM faces) AS fc`,
      )
      .get(),
  );
