/** Person names become file names and S3 key segments: letters, digits, space, '.', '_' and '-' only. */
const PERSON_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,63}$/u;

export const isValidPersonName = (name: string): boolean => PERSON_NAME.test(name) && !name.includes('..');
