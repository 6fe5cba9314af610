// A strict object schema whose "unknown key" message names the key it was probably meant to be:
// `arg` → "did you mean 'args'?". A misspelled key must never pass silently, and an error that
// names the fix costs the operator one edit instead of a trip to the docs.
import { closest, distance } from 'fastest-levenshtein';
import { z } from 'zod';

/** The known key a misspelling most likely meant, or undefined when none is close. */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  const lower = key.toLowerCase();
  const byCase = known.find((k) => k.toLowerCase() === lower);
  if (byCase) return byCase;
  const near = closest(key, [...known]);
  if (distance(key, near) <= Math.max(2, Math.floor(key.length / 3))) return near;
  // A longer spelling of a short key: `enviroment` for `env`, `command_args` for `command`.
  return known.find((k) => k.length >= 3 && lower.startsWith(k.toLowerCase()));
}

export function unknownKeysMessage(keys: readonly string[], known: readonly string[]): string {
  const parts = keys.map((key) => {
    const near = nearestKey(key, known);
    return near ? `'${key}' (did you mean '${near}'?)` : `'${key}'`;
  });
  return `unknown key${keys.length === 1 ? '' : 's'} ${parts.join(', ')}; known keys: ${known.join(', ')}`;
}

/** `z.strictObject` with did-you-mean hints for unknown keys. `alsoKnown` are keys handled elsewhere. */
export function strictObject<S extends z.core.$ZodLooseShape>(shape: S, alsoKnown: readonly string[] = []) {
  const known = [...Object.keys(shape), ...alsoKnown];
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? unknownKeysMessage(issue.keys, known) : undefined),
  });
}
