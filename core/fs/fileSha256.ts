import { createHash } from 'node:crypto';
import { createReadStream, type PathLike } from 'node:fs';
import { pipeline } from 'node:stream/promises';

export const fileSha256 = async (path: PathLike): Promise<string> => {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
};
