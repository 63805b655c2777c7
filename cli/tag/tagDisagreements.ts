import type { Box } from '../../core/types.js';
import { matchBoxes } from './matchBoxes.js';

export const DisagreementKind = {
  /** A tagged region's face is someone else by our decision. */
  DifferentName: 'different_name',
  /** A name is tagged (a region, or PersonInImage) but we did not find that person there. */
  NotFound: 'not_found',
  /** We found a person whose face is not tagged with their name. */
  NotTagged: 'not_tagged',
  /** The photo's tags could not be read (malformed sidecar, damaged XMP…). */
  Unreadable: 'unreadable',
} as const;
export type DisagreementKind = (typeof DisagreementKind)[keyof typeof DisagreementKind];

export interface TagDisagreement {
  kind: DisagreementKind;
  /** The name in the tags. */
  tagged?: string;
  /** The person we found. */
  found?: string;
  /** Where (upright pixels): our face for different_name / not_tagged, the region for not_found. */
  box?: Box;
  /** Why the tags could not be read (unreadable). */
  reason?: string;
}

export interface TaggedFace {
  name: string | null;
  box: Box;
}

export interface DecidedFace {
  person: string | null;
  box: Box;
}

/**
 * Where a photo's existing face tags and our decision disagree (pure). Regions are matched to our
 * faces one to one by overlap; then a named region on a face we gave someone else is
 * `different_name`, a tagged name with no face of that person under it is `not_found` (also a
 * PersonInImage name without region whom we found nowhere), and a face we gave a person that no
 * region names, and that PersonInImage does not list, is `not_tagged`.
 */
export const tagDisagreements = (
  regions: readonly TaggedFace[],
  personInImage: readonly string[],
  faces: readonly DecidedFace[],
): TagDisagreement[] => {
  const match = matchBoxes(
    regions.map((r) => r.box),
    faces.map((f) => f.box),
  );
  const listed = new Set(personInImage);
  const out: TagDisagreement[] = [];
  const faceHasRegion = new Set<number>();
  regions.forEach((region, r) => {
    const f = match[r];
    const face = f === null || f === undefined ? undefined : faces[f];
    if (f !== null && f !== undefined) faceHasRegion.add(f);
    if (region.name === null) {
      if (face?.person && !listed.has(face.person))
        out.push({ kind: DisagreementKind.NotTagged, found: face.person, box: face.box });
      return;
    }
    if (face?.person && face.person !== region.name)
      out.push({
        kind: DisagreementKind.DifferentName,
        tagged: region.name,
        found: face.person,
        box: face.box,
      });
    else if (!face?.person)
      out.push({ kind: DisagreementKind.NotFound, tagged: region.name, box: region.box });
  });
  faces.forEach((face, f) => {
    if (face.person && !faceHasRegion.has(f) && !listed.has(face.person))
      out.push({ kind: DisagreementKind.NotTagged, found: face.person, box: face.box });
  });
  const regionNames = new Set(regions.map((r) => r.name));
  const found = new Set(faces.map((f) => f.person));
  for (const name of listed)
    if (!regionNames.has(name) && !found.has(name))
      out.push({ kind: DisagreementKind.NotFound, tagged: name });
  return out;
};

/** One line of text for a disagreement (who's output). */
export const describeDisagreement = (d: TagDisagreement): string => {
  switch (d.kind) {
    case DisagreementKind.DifferentName:
      return `tagged "${d.tagged}" but we found ${d.found}`;
    case DisagreementKind.NotFound:
      return `tagged "${d.tagged}" but we did not find them${d.box ? '' : ' (PersonInImage)'}`;
    case DisagreementKind.NotTagged:
      return `we found ${d.found}, not tagged`;
    case DisagreementKind.Unreadable:
      return `tags unreadable: ${d.reason}`;
  }
};
