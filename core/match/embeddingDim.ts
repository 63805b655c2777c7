/**
 * Length of the identity embedding the current model set produces (fr_feature.onnx: 512). A
 * gallery or cached analysis whose embeddings have another length was not made by these models.
 */
export const EMBEDDING_DIM = 512;
