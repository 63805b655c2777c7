/**
 * Crop rotations tried when estimating a face's roll. The landmark model is only accurate for
 * faces within ~30-40° of upright in its crop; beyond that it returns a plausible, nearly upright
 * shape that is wrong. Several rotated crops give several roll estimates: when enough of them
 * agree the roll is settled cheaply; otherwise each distinct estimate is a candidate and the
 * engine keeps the one whose aligned face gives the strongest embedding (largest raw norm, which
 * measured far larger for the correctly turned face than for a sideways or upside-down one).
 */
export const ROLL_SEARCH_ROTATIONS = [0, 45, -45, 90, -90, 180] as const;

/** Smallest absolute difference between two angles in degrees (0..180). */
export const angleDistance = (a: number, b: number): number =>
  Math.abs(((((a - b) % 360) + 540) % 360) - 180);

/** Circular mean of angles in degrees, in (-180, 180]. */
export const circularMean = (angles: readonly number[]): number => {
  let s = 0;
  let c = 0;
  for (const a of angles) {
    s += Math.sin((a * Math.PI) / 180);
    c += Math.cos((a * Math.PI) / 180);
  }
  return (Math.atan2(s, c) * 180) / Math.PI;
};

export interface RollEstimate {
  /** Rotation of the crop the estimate came from. */
  rotation: number;
  /** Roll the landmarks imply, in the image frame. */
  roll: number;
}

/**
 * Groups estimates that agree within `tolerance` (greedy, best-supported first) and returns the
 * groups' mean rolls, best supported first. If the best group has at least `settled` members it
 * is returned alone: the roll is not in doubt.
 */
export const rollCandidates = (
  estimates: readonly RollEstimate[],
  tolerance: number,
  settled = 3,
): number[] => {
  const remaining = [...estimates];
  const groups: number[][] = [];
  while (remaining.length > 0) {
    let bestIndex = 0;
    let bestMembers: RollEstimate[] = [];
    remaining.forEach((e, i) => {
      const members = remaining.filter((o) => angleDistance(o.roll, e.roll) <= tolerance);
      if (members.length > bestMembers.length) {
        bestIndex = i;
        bestMembers = members;
      }
    });
    const anchor = remaining[bestIndex]!.roll;
    const members = remaining.filter((o) => angleDistance(o.roll, anchor) <= tolerance);
    groups.push(members.map((m) => m.roll));
    for (const m of members) remaining.splice(remaining.indexOf(m), 1);
  }
  const means = groups.map(circularMean);
  return groups[0]!.length >= settled ? [means[0]!] : means;
};
