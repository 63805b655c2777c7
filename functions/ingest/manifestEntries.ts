import { CloudError, CloudErrorCode } from '../shared/errors.js';

/** One line of a manifest: an object key, or a prefix to expand by listing. */
export type ManifestEntry = { bucket?: string; key: string } | { bucket?: string; prefix: string };

export const ManifestFormat = {
  JsonLines: 'jsonl',
  Csv: 'csv',
  Inventory: 'inventory',
} as const;
export type ManifestFormat = (typeof ManifestFormat)[keyof typeof ManifestFormat];

/** By name: inventory manifest.json, .csv, else JSON lines (.jsonl, .ndjson, .txt, .json). */
export const manifestFormat = (key: string): ManifestFormat | undefined => {
  const name = key.slice(key.lastIndexOf('/') + 1).toLowerCase();
  if (name === 'manifest.json') return ManifestFormat.Inventory;
  if (name.endsWith('.csv')) return ManifestFormat.Csv;
  if (/\.(jsonl|ndjson|txt|json)$/.test(name)) return ManifestFormat.JsonLines;
  return undefined;
};

/** A JSON line: "key", {"key": …, "bucket"?: …} or {"prefix": …}; blank lines and # comments are skipped. */
export const parseJsonLine = (line: string, lineNo: number): ManifestEntry | undefined => {
  const t = line.trim();
  if (!t || t.startsWith('#')) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    // A bare key without quotes is the most common hand-written manifest.
    return t.startsWith('{') || t.startsWith('"') ? bad(lineNo, 'not valid JSON') : { key: t };
  }
  if (typeof v === 'string' && v) return { key: v };
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const bucket = typeof o['bucket'] === 'string' ? o['bucket'] : undefined;
    if (typeof o['key'] === 'string' && o['key']) return { bucket, key: o['key'] };
    if (typeof o['prefix'] === 'string') return { bucket, prefix: o['prefix'] };
  }
  return bad(lineNo, 'expected a key string or an object with "key" or "prefix"');
};

/** Splits one CSV record (RFC 4180 quoting). */
export const splitCsv = (line: string): string[] => {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
};

/** A CSV row "bucket,key" (S3 Batch Operations style); a key ending in '/' is a prefix; a header row is skipped. */
export const parseCsvLine = (line: string, lineNo: number): ManifestEntry | undefined => {
  if (!line.trim()) return undefined;
  const cells = splitCsv(line.replace(/\r$/, ''));
  if (cells.length < 2) return bad(lineNo, 'expected bucket,key');
  const [bucket, key] = [cells[0]!.trim(), cells[1]!];
  if (lineNo === 1 && bucket.toLowerCase() === 'bucket' && key.trim().toLowerCase() === 'key')
    return undefined;
  if (!key) return bad(lineNo, 'empty key');
  return key.endsWith('/') ? { bucket, prefix: key } : { bucket, key };
};

/** S3 Inventory manifest.json: which gzipped CSV files hold the listing and their columns. */
export interface InventoryManifest {
  destinationBucket: string;
  files: { key: string }[];
  keyColumn: number;
  bucketColumn: number;
}

export const parseInventoryManifest = (json: string): InventoryManifest => {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(json) as Record<string, unknown>;
  } catch (cause) {
    throw new CloudError(CloudErrorCode.BadManifest, 'inventory manifest.json is not JSON', { cause });
  }
  if (raw['fileFormat'] !== 'CSV') {
    throw new CloudError(
      CloudErrorCode.BadManifest,
      `inventory format ${String(raw['fileFormat'])} is not supported (use CSV)`,
    );
  }
  const schema = String(raw['fileSchema'] ?? '')
    .split(',')
    .map((s) => s.trim());
  const files = Array.isArray(raw['files']) ? (raw['files'] as { key?: unknown }[]) : [];
  const destination = String(raw['destinationBucket'] ?? '');
  return {
    destinationBucket: destination.replace(/^arn:aws:s3:::/, ''),
    files: files.filter((f) => typeof f.key === 'string').map((f) => ({ key: f.key as string })),
    keyColumn: schema.indexOf('Key'),
    bucketColumn: schema.indexOf('Bucket'),
  };
};

/** An inventory CSV row; keys there are URL-encoded. */
export const parseInventoryRow = (line: string, m: InventoryManifest): ManifestEntry | undefined => {
  if (!line.trim()) return undefined;
  const cells = splitCsv(line);
  const key = cells[m.keyColumn < 0 ? 1 : m.keyColumn];
  if (!key) return undefined;
  const bucket = cells[Math.max(m.bucketColumn, 0)];
  return { bucket, key: decodeURIComponent(key.replace(/\+/g, ' ')) };
};

const bad = (lineNo: number, why: string): never => {
  throw new CloudError(CloudErrorCode.BadManifest, `manifest line ${lineNo}: ${why}`);
};
