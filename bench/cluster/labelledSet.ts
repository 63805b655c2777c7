/** A development set turned into faces with ground-truth identities, for the clustering benchmark. */

export interface LabelledFace {
  /** `<relative photo path>#<face index>`: unique within the set, stable between runs. */
  id: string;
  /**
   * Ground-truth identity. Faces nobody labelled (a bystander in a celebrity photo, a scene face
   * no listed person was matched to) get a label of their own starting with `~`, so they count as
   * singleton people: leaving them unknown is right, putting them in a cluster costs precision.
   */
  label: string;
  embedding: Float32Array;
  /** The second embedder's 128-d vector, when the engine produced one for every face of the set. */
  descriptor?: Float32Array;
  /** The engine's quality (detector score x landmark geometry); 1 for pre-aligned crops. */
  quality: number;
  /** Face box height in original pixels. */
  size: number;
}

export interface LabelledSet {
  name: string;
  faces: LabelledFace[];
  /** How the labels were derived, for the report. */
  notes: string[];
}

/** Labels that stand for a real identity of the set (not a `~` singleton). */
export const isNamedLabel = (label: string): boolean => !label.startsWith('~');
