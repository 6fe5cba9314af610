// Turns zod failures into one SwitchboardError that lists every problem with its path.
import type { z } from 'zod';
import { SwitchboardError } from '../errors.js';
import { configSchema, type SwitchboardConfig } from './schema.js';
import { mapPatternNames, type MappingIssue } from './pattern-names.js';

export interface ConfigIssue {
  path: string;
  message: string;
}

export function formatPath(path: ReadonlyArray<PropertyKey>, prefix = ''): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

export function zodIssues(error: z.ZodError, prefix = ''): ConfigIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path, prefix), message: issue.message }));
}

export function configError(issues: ConfigIssue[], source?: string): SwitchboardError {
  const where = source ? ` in ${source}` : '';
  const lines = issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n');
  return new SwitchboardError('CONFIG_INVALID', `invalid Switchboard config${where} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines}`, {
    details: issues,
  });
}

/** Map the pattern's names, validate, and freeze. Throws CONFIG_INVALID listing every problem. */
export function parseConfig(raw: unknown, source?: string): SwitchboardConfig {
  const { config, issues } = mapPatternNames(raw ?? {});
  const result = configSchema.safeParse(config);
  const all: MappingIssue[] = [...issues, ...(result.success ? [] : zodIssues(result.error))];
  if (all.length > 0 || !result.success) throw configError(all, source);
  return deepFreeze(result.data);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}
