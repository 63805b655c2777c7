/** Plain words for the file-system errors a user can meet, so no failure needs a stack trace. */
const WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'is a folder, not a file',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many symbolic links (a loop)',
  EBUSY: 'resource busy',
  ENOTEMPTY: 'folder not empty',
  EXDEV: 'cannot link across file systems',
  ETXTBSY: 'file busy',
};

export const isFsError = (error: unknown): error is NodeJS.ErrnoException =>
  error instanceof Error &&
  typeof (error as NodeJS.ErrnoException).code === 'string' &&
  typeof (error as NodeJS.ErrnoException).syscall === 'string';

/** "no space left on the device (ENOSPC): /out/a.jpg"; any other error: its message. */
export const describeFsError = (error: unknown): string => {
  if (!isFsError(error)) return error instanceof Error ? error.message : String(error);
  const words = WORDS[error.code!] ?? error.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*$/, '');
  const path = error.path ? `: ${String(error.path)}` : '';
  return `${words} (${error.code})${path}`;
};
