import { ConfigError } from '../errors.js';

/** p(person | score) = 1 / (1 + exp(-(slope * score + intercept))). */
export interface LogisticFit {
  slope: number;
  intercept: number;
  /** Score at which p = 0.5. */
  midpoint: number;
  /** Mean negative log-likelihood per unit weight at the fit. */
  logLoss: number;
  iterations: number;
  converged: boolean;
  l2: number;
}

export interface LogisticSample {
  score: number;
  label: boolean;
  /** Sample weight (default 1); fractional weights allow exact known-answer tests. */
  weight?: number;
}

export interface LogisticOptions {
  /**
   * Ridge penalty on the slope, (l2 / 2) * slope². Without it a sample the threshold separates
   * perfectly has no finite maximum-likelihood slope; 1e-4 keeps it finite and barely biases
   * anything else. The intercept is not penalised.
   */
  l2?: number;
  maxIterations?: number;
  /** Stop when the Newton step is smaller than this in both parameters. */
  tolerance?: number;
}

export const DEFAULT_LOGISTIC_L2 = 1e-4;

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** log(1 + exp(z)) without overflow. */
const softplus = (z: number): number => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));

export const logisticProbability = (fit: Pick<LogisticFit, 'slope' | 'intercept'>, score: number): number =>
  sigmoid(fit.slope * score + fit.intercept);

/**
 * Maximum-likelihood logistic regression of the label on the score, by Newton's method with
 * step halving (deterministic: same data, same answer). Scores are centred first so the two
 * parameters are nearly uncorrelated and the 2x2 Newton system is well conditioned.
 */
export const fitLogistic = (
  samples: readonly LogisticSample[],
  options: LogisticOptions = {},
): LogisticFit => {
  const l2 = options.l2 ?? DEFAULT_LOGISTIC_L2;
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-10;
  let totalWeight = 0;
  let positive = 0;
  let sum = 0;
  for (const [i, s] of samples.entries()) {
    const w = s.weight ?? 1;
    if (!Number.isFinite(s.score) || !Number.isFinite(w) || w < 0)
      throw new ConfigError(`sample ${i + 1} has a bad score or weight`);
    totalWeight += w;
    if (s.label) positive += w;
    sum += w * s.score;
  }
  if (positive <= 0 || positive >= totalWeight) {
    throw new ConfigError('a logistic fit needs both matches and non-matches among the labels');
  }
  const mean = sum / totalWeight;

  // Negative log-likelihood (+ penalty) at slope a, centred intercept c.
  const loss = (a: number, c: number): number => {
    let total = 0;
    for (const s of samples) {
      const z = a * (s.score - mean) + c;
      total += (s.weight ?? 1) * (s.label ? softplus(-z) : softplus(z));
    }
    return total + 0.5 * l2 * a * a;
  };

  // Start at the flat model that predicts the base rate.
  let a = 0;
  let c = Math.log(positive / (totalWeight - positive));
  let current = loss(a, c);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    let ga = l2 * a;
    let gc = 0;
    let haa = l2;
    let hac = 0;
    let hcc = 0;
    for (const s of samples) {
      const w = s.weight ?? 1;
      const x = s.score - mean;
      const p = sigmoid(a * x + c);
      const r = p - (s.label ? 1 : 0);
      ga += w * r * x;
      gc += w * r;
      const v = w * p * (1 - p);
      haa += v * x * x;
      hac += v * x;
      hcc += v;
    }
    const det = haa * hcc - hac * hac;
    // A flat Hessian (all mass at p = 0 or 1) cannot improve further.
    if (!(det > 0)) break;
    const da = (hcc * ga - hac * gc) / det;
    const dc = (haa * gc - hac * ga) / det;
    let step = 1;
    let next = loss(a - da, c - dc);
    while (next > current && step > 1e-6) {
      step /= 2;
      next = loss(a - step * da, c - step * dc);
    }
    if (next > current) break;
    a -= step * da;
    c -= step * dc;
    current = next;
    if (Math.abs(step * da) < tolerance && Math.abs(step * dc) < tolerance) {
      converged = true;
      break;
    }
  }
  const intercept = c - a * mean;
  return {
    slope: a,
    intercept,
    midpoint: a !== 0 ? -intercept / a : Number.NaN,
    logLoss: (current - 0.5 * l2 * a * a) / totalWeight,
    iterations,
    converged,
    l2,
  };
};
