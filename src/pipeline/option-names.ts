/**
 * Library entry points check the names of the options they are given, as the CLI does for flags: a
 * misspelt option (`journal` for `journalPath`) is a usage error that names the right one, not a
 * confusing failure later ("cannot read undo journal undefined").
 */
import { MetaError } from '../errors.js';
import { BAD_OPTION } from '../option-check.js';
import { closest } from '../schema/did-you-mean.js';

export function checkOptionNames(entry: string, options: object, known: readonly string[]): void {
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length === 0) return;
  const described = unknown.map((k) => {
    const near = closest(k, known) ?? known.find((n) => n.toLowerCase().startsWith(k.toLowerCase()) || k.toLowerCase().startsWith(n.toLowerCase())) ?? null;
    return near ? `\`${k}\` (did you mean \`${near}\`?)` : `\`${k}\``;
  });
  throw new MetaError(BAD_OPTION, `${entry}: unknown option ${described.join(', ')}; it takes ${known.map((k) => `\`${k}\``).join(', ')}`);
}
