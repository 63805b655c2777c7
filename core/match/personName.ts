/** Person names become file names and S3 key segments: letters, digits, space, '.', '_' and '-' only. */
const PERSON_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,63}$/u;

export const isValidPersonName = (name: string): boolean => PERSON_NAME.test(name) && !name.includes('..');

/** Names of the form person-0001 belong to unnamed clusters; people cannot be given one. */
export const isClusterName = (name: string): boolean => /^person-\d{4,}$/i.test(name);

/**
 * Why `name` cannot be a person's name, or undefined when it can: the one rule every entry point
 * applies (enroll, import, gallery files, review and cluster renames, --person), so a name that could
 * leave a folder (`..`, `a/b`, `/x`) never gets in. `cluster` allows an unnamed cluster's own name.
 */
export const personNameProblem = (name: string, o: { cluster?: boolean } = {}): string | undefined => {
  if (!isValidPersonName(name))
    return `invalid person name ${JSON.stringify(name)}: use letters, digits, spaces, '.', '_' or '-', starting with a letter or digit, no "..", at most 64 characters`;
  if (!o.cluster && isClusterName(name))
    return `"${name}" is how unnamed clusters are called; choose a real name`;
  return undefined;
};
