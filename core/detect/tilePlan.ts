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
  /** Size of the resized image (before any padding). */
  width: number;
  height: number;
  /** Border added on each side, in working pixels (the padded pass only). */
  padX: number;
  padY: number;
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
    return { grid, scale, width: w, height: h, padX: 0, padY: 0, tiles };
  });
};

/**
 * A full-frame pass over the image with a border of `pad` (fraction of each side) around it.
 * Faces that fill a tight crop (headshots, ID-style references, research sets) touch the frame
 * edges and are missed by the detector until they have some background around them.
 */
export const paddedPass = (
  width: number,
  height: number,
  inputWidth: number,
  inputHeight: number,
  pad: number,
): DetectorPass => {
  const scale = letterboxScale(width * (1 + 2 * pad), height * (1 + 2 * pad), inputWidth, inputHeight);
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  const padX = Math.min(Math.round(width * pad * scale), Math.floor((inputWidth - w) / 2));
  const padY = Math.min(Math.round(height * pad * scale), Math.floor((inputHeight - h) / 2));
  return {
    grid: 1,
    scale,
    width: w,
    height: h,
    padX,
    padY,
    tiles: [{ x: 0, y: 0, width: w + 2 * padX, height: h + 2 * padY }],
  };
};
