// Student's t distribution through the regularised incomplete beta function (continued fraction,
// modified Lentz), accurate to about 1e-12 relative, enough for thresholds at any FAR used here.

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(z) for z > 0 (Lanczos, g = 7). */
const lnGamma = (z: number): number => {
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - lnGamma(1 - z);
  const x = z - 1;
  let a = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i]! / (x + i);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
};

const TINY = 1e-300;

/** Continued fraction of the incomplete beta function (converges for x < (a + 1) / (a + b + 2)). */
const betaFraction = (a: number, b: number, x: number): number => {
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return h;
};

/** Regularised incomplete beta I_x(a, b). */
const incompleteBeta = (a: number, b: number, x: number): number => {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2)
    ? (front * betaFraction(a, b, x)) / a
    : 1 - (front * betaFraction(b, a, 1 - x)) / b;
};

/** P(T > t) for Student's t with `dof` degrees of freedom. */
export const studentTUpperTail = (t: number, dof: number): number => {
  const half = 0.5 * incompleteBeta(dof / 2, 0.5, dof / (dof + t * t));
  return t >= 0 ? half : 1 - half;
};

/** t such that P(T <= t) = p for Student's t with `dof` (> 0) degrees of freedom; p in (0, 1). */
export const studentTQuantile = (p: number, dof: number): number => {
  if (!(p > 0 && p < 1)) throw new RangeError(`probability must be in (0, 1), got ${p}`);
  if (!(dof > 0)) throw new RangeError(`degrees of freedom must be positive, got ${dof}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, dof);
  const upper = 1 - p;
  let lo = 0;
  let hi = 1;
  while (studentTUpperTail(hi, dof) > upper) {
    lo = hi;
    hi *= 2;
    if (hi > 1e150) return Number.POSITIVE_INFINITY;
  }
  // The tail is monotone: bisection to a relative width of 1e-13.
  for (let i = 0; i < 400 && hi - lo > 1e-13 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (studentTUpperTail(mid, dof) > upper) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
};
