/** The package version, read once from package.json (from src/ under tsx, dist/, or the bundled bin). */
import { packageVersion } from './package-root.js';

export const VERSION: string = packageVersion();
