import { access, constants, stat } from 'node:fs/promises';
import { MetaError } from '../errors.js';

/** Fail fast, with the file name, when `path` is missing, a directory, or unreadable. */
export async function checkReadableFile(path: string): Promise<void> {
  let isFile: boolean;
  try {
    isFile = (await stat(path)).isFile();
    await access(path, constants.R_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new MetaError('SOURCE_NOT_FOUND', `Cannot open ${path}: ${why}`, { cause: err });
  }
  if (!isFile) throw new MetaError('SOURCE_NOT_FOUND', `Cannot open ${path}: expected a file, got a directory or device`);
}
