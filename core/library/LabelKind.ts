/** Where a face↔person label came from. Human decisions (all but `auto`) always win over automatic ones. */
export const LabelKind = {
  /** A reference face given to `enroll`. */
  Enrolled: 'enrolled',
  /** The matcher's own decision in a run. */
  Auto: 'auto',
  /** A person said: this face is them. */
  Confirmed: 'confirmed',
  /** A person said: this face is not them; never proposed again. */
  Rejected: 'rejected',
  /** Read from tags another program wrote (XMP face regions). */
  Imported: 'imported',
} as const;
export type LabelKind = (typeof LabelKind)[keyof typeof LabelKind];

/** Kinds that make a face one of the person's references (their template is built from these). */
export const REFERENCE_KINDS: readonly LabelKind[] = [
  LabelKind.Enrolled,
  LabelKind.Confirmed,
  LabelKind.Imported,
];

export const isHumanKind = (k: LabelKind): boolean => k !== LabelKind.Auto;
