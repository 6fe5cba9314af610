// Whole-number option values. Number() reads '0x50' as 80, '' as 0 and '1e3' as 1000, so
// `--http 0x50` listened on port 80 and `--http ''` on a random port; a flag takes decimal digits only.
import { UsageError } from './io.js';

export interface NumberArgSpec {
  readonly flag: string;
  readonly command: string;
  readonly min: number;
  readonly max: number;
  /** What the number is, for the error: 'a port number', 'milliseconds', ... */
  readonly what: string;
}

export function wholeNumberArg(value: string | undefined, spec: NumberArgSpec): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= spec.min && n <= spec.max)) throw new UsageError(`${spec.flag} takes ${spec.what} from ${spec.min} to ${spec.max} (got '${value}')`, spec.command);
  return n;
}
