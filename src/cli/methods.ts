import { ALIASES, METHODS } from '../analyze/methods.js';
import { formatTable } from './table.js';

export interface MethodsFlags {
  json: boolean;
}

/** `lrp-keras methods`: every method id with its one-line description, and the innvestigate names. */
export function methodsCommand(flags: MethodsFlags): void {
  if (flags.json) {
    const aliases = Object.fromEntries(Object.entries(ALIASES).map(([name, a]) => [name, a.method]));
    console.log(JSON.stringify({ methods: METHODS, aliases }, null, 2));
    return;
  }
  console.log(formatTable(['method', 'description'], Object.entries(METHODS)));
  console.log(`\nAlso accepted, as the closest method: the innvestigate names ${Object.keys(ALIASES).join(', ')}.`);
}
