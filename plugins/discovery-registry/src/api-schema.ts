// The parts of the MCP Registry API (`GET /v0.1/servers`, OpenAPI spec 2025-12-01 in
// modelcontextprotocol/registry, docs/reference/api/openapi.yaml) that discovery reads. Loose
// objects throughout: the API adds optional fields over time and unknown ones must not break us.
import { z } from 'zod';

/** `Input`: a value a client may have to supply (URL variables, header values). */
export const inputSchema = z.looseObject({
  description: z.string().optional(),
  isRequired: z.boolean().optional(),
  isSecret: z.boolean().optional(),
  value: z.string().optional(),
  default: z.string().optional(),
  choices: z.array(z.string()).optional(),
});

/** `KeyValueInput`: a named header, whose value may itself hold `{variables}`. */
export const keyValueInputSchema = inputSchema.extend({
  name: z.string().min(1),
  variables: z.record(z.string(), inputSchema).optional(),
});

/** `RemoteTransport`: streamable-http or sse, a URL template, headers and template variables. */
export const remoteSchema = z.looseObject({
  type: z.string().min(1),
  url: z.string().min(1),
  headers: z.array(keyValueInputSchema).optional(),
  variables: z.record(z.string(), inputSchema).optional(),
});

/** `ServerDetail` (server.json as published). Remotes are checked one by one, so one odd remote does not hide the others. */
export const serverDetailSchema = z.looseObject({
  name: z.string().min(1),
  description: z.string().optional(),
  title: z.string().optional(),
  version: z.string().optional(),
  websiteUrl: z.string().optional(),
  repository: z.looseObject({ url: z.string().optional() }).optional(),
  remotes: z.array(z.unknown()).optional(),
  packages: z.array(z.unknown()).optional(),
});

export const OFFICIAL_META_KEY = 'io.modelcontextprotocol.registry/official';

/** `_meta["io.modelcontextprotocol.registry/official"]`, managed by the registry. */
export const officialMetaSchema = z.looseObject({
  status: z.string().optional(),
  statusMessage: z.string().optional(),
  isLatest: z.boolean().optional(),
  publishedAt: z.string().optional(),
  updatedAt: z.string().optional(),
});

/** `ServerResponse`: one list item. */
export const serverResponseSchema = z.looseObject({
  server: serverDetailSchema,
  _meta: z.looseObject({ [OFFICIAL_META_KEY]: officialMetaSchema.optional() }).optional(),
});

/** `ServerList`: one page. Items are validated one by one for the same reason as remotes. */
export const serverListSchema = z.looseObject({
  servers: z.array(z.unknown()),
  metadata: z
    .looseObject({
      nextCursor: z.string().nullish(),
      count: z.number().optional(),
    })
    .optional(),
});

export type RegistryInput = z.output<typeof inputSchema>;
export type RegistryRemote = z.output<typeof remoteSchema>;
export type RegistryServerResponse = z.output<typeof serverResponseSchema>;
export type RegistryServerList = z.output<typeof serverListSchema>;
export type OfficialMeta = z.output<typeof officialMetaSchema>;
