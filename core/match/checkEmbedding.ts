/**
 * Why an embedding cannot be used, or undefined when it can: it must have the model's length, hold
 * only finite numbers and be (about) unit length, as the engine writes them. A NaN or all-zero
 * vector would otherwise silently turn every comparison into a non-match.
 */
export const embeddingProblem = (e: Float32Array, expectedDim?: number): string | undefined => {
  if (expectedDim !== undefined && e.length !== expectedDim)
    return `has ${e.length} values where the models make ${expectedDim}`;
  let sum = 0;
  for (let i = 0; i < e.length; i++) {
    const v = e[i]!;
    if (!Number.isFinite(v)) return 'holds a value that is not a finite number';
    sum += v * v;
  }
  if (sum === 0) return 'is all zeros';
  // The engine stores unit vectors; anything far from that was edited or corrupted.
  if (Math.abs(Math.sqrt(sum) - 1) > 0.01) return `is not unit length (norm ${Math.sqrt(sum).toFixed(3)})`;
  return undefined;
};
