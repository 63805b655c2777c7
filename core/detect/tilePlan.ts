/** A rectangle in a pass's working image. */
export interface Tile {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One detector pass: the analysis image resized by `scale`, cut into tiles of at most the detector's input size. */
export interface DetectorPass {
  grid: number;
  scale: number;
  width: number;
  height: number;
  tiles: Tile[];
}

export interface TilePlanOptions {
  inputWidth: number;
  inputHeight: number;
  /** Analysis-image pixels per original pixel. */
  analysisScale: number;
  minFaceSize: number;
  detectorMinFace: number;
  maxGrid: number;
  tileOverlap: number;
}

/** Letterbox scale: the whole image fits the detector input, aspect preserved. */
export const letterboxScale = (
  width: number,
  height: number,
  inputWidth: number,
  inputHeight: number,
): number => Math.min(inputWidth / width, inputHeight / height);

/** Evenly spaced tile starts covering `length` with tiles of `size` overlapping by at least `overlap`. */
export const tileStarts = (length: number, size: number, overlap: number): number[] => {
  if (length <= size) return [0];
  const stride = size * (1 - overlap);
  const count = Math.ceil((length - size) / stride) + 1;
  const step = (length - size) / (count - 1);
  return Array.from({ length: count }, (_, i) => Math.round(i * step));
};

/**
 * Grid levels: the full frame, then doublings, up to the grid at which a face of `minFaceSize`
 * original pixels reaches `detectorMinFace` pixels in the detector input.
 */
export const gridLevels = (needed: number, maxGrid: number): number[] => {
  const top = Math.min(maxGrid, Math.max(1, Math.ceil(needed - 1e-9)));
  const levels = [1];
  for (let g = 2; g < top; g *= 2) levels.push(g);
  if (top > 1) levels.push(top);
  return levels;
};

export const planPasses = (width: number, height: number, o: TilePlanOptions): DetectorPass[] => {
  const base = letterboxScale(width, height, o.inputWidth, o.inputHeight);
  const detectorPxPerOriginalPx = base * o.analysisScale;
  const needed = o.detectorMinFace / (o.minFaceSize * detectorPxPerOriginalPx);
  return gridLevels(needed, o.maxGrid).map((grid) => {
    const scale = base * grid;
    const w = Math.max(1, Math.round(width * scale));
    const h = Math.max(1, Math.round(height * scale));
    const tiles: Tile[] = [];
    for (const y of tileStarts(h, o.inputHeight, o.tileOverlap)) {
      for (const x of tileStarts(w, o.inputWidth, o.tileOverlap)) {
        tiles.push({ x, y, width: Math.min(o.inputWidth, w - x), height: Math.min(o.inputHeight, h - y) });
      }
    }
    return { grid, scale, width: w, height: h, tiles };
  });
};
