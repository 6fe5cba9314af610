// The plugin's options, as config writes them under `discovery: [{ type: registry, ... }]`.
import { z } from 'zod';
import { compileNamePattern } from './name-filter.js';

const stringRecord = z.record(z.string(), z.string());

/** Values the registry cannot hold for a server: its URL template variables and secret headers. */
export const serverInputsSchema = z.strictObject({
  /** Fill `{variable}` in remote URLs and header values, for example `{ tenant_id: 'us-cell1' }`. */
  variables: stringRecord.default({}),
  /** Header values to send to the server, for example `{ 'X-API-Key': '…' }`; they win over the registry's. */
  headers: stringRecord.default({}),
});

export const registryOptionsSchema = z.strictObject({
  /** Base URL of the registry; `/v0.1/servers` is appended. */
  url: z.string().url().default('https://registry.modelcontextprotocol.io'),
  /** Passed to the registry as `search` (its own substring match on names and descriptions). */
  search: z.string().min(1).optional(),
  /** Keep only server names matching this glob (`io.github.acme/*`) or `/regex/flags`. */
  namePattern: z
    .string()
    .min(1)
    .superRefine((pattern, ctx) => {
      try {
        compileNamePattern(pattern);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(error as Error).message}` });
      }
    })
    .optional(),
  /** Servers per page (the registry's `limit`); the registry's own default when unset. */
  pageSize: z.number().int().positive().optional(),
  /** Look again on this period, besides the router's own discoveryIntervalMs refreshes. */
  refreshIntervalMs: z.number().int().positive().optional(),
  /** Also route to servers their publisher has deprecated. */
  includeDeprecated: z.boolean().default(false),
  /** Sent with every registry request (for example Authorization for a private sub-registry). */
  headers: stringRecord.default({}),
  /** Give up on a registry request after this long. */
  timeoutMs: z.number().int().positive().default(10_000),
  /** A page's body is read up to this many bytes; a larger one fails the read (the last catalogue is kept). */
  maxPageBytes: z.number().int().positive().default(16 * 1024 * 1024),
  /** Per registry server name: values for its URL variables and headers. */
  inputs: z.record(z.string(), serverInputsSchema).default({}),
});

export type RegistryOptionsInput = z.input<typeof registryOptionsSchema>;
export type RegistryOptions = z.output<typeof registryOptionsSchema>;
export type ServerInputs = z.output<typeof serverInputsSchema>;
