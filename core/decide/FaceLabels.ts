/**
 * What people said about one face, by person name: it is `confirmed` (one person at most), and it
 * is not any of `rejected`. Built from the library's labels (labelPrecedence.ts).
 */
export interface FaceLabels {
  confirmed?: string;
  rejected: ReadonlySet<string>;
}

export const NO_LABELS: FaceLabels = Object.freeze({ rejected: new Set<string>() });
