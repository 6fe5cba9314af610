// @switchboard/discovery-static: servers listed in config, including the `mcpServers` format.
import { definePlugin, fromMcpServers, serverEntrySchema, toDescriptors, Tokens, type Logger } from '@switchboard/core';
import { z } from 'zod';
import { StaticDiscoverer } from './static-discoverer.js';

export { readServersFile, resolveServersFile, StaticDiscoverer, type ServersFileRead, type StaticDiscovererOptions } from './static-discoverer.js';

export const staticOptionsSchema = z
  .strictObject({
    servers: z.array(serverEntrySchema).default([]),
    /** The object MCP clients use: { "name": { "command", "args", "env" } | { "url", "headers" } }. */
    mcpServers: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
    /** A JSON file holding `mcpServers`, re-read on every discovery refresh. */
    file: z.string().min(1).optional(),
  })
  .transform((options, ctx) => {
    const servers = [...options.servers];
    for (const raw of fromMcpServers(options.mcpServers ?? {})) {
      const result = serverEntrySchema.safeParse(raw);
      if (!result.success) {
        for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: ['mcpServers', raw.name, ...issue.path] });
        continue;
      }
      servers.push(result.data);
    }
    // Names after expansion: `urls`/`replicas` entries stand for `<name>-1`, `<name>-2`, …
    const seen = new Set<string>();
    for (const [i, s] of servers.entries()) {
      for (const d of toDescriptors({ ...s, disabled: undefined }, 'static')) {
        if (seen.has(d.name)) ctx.addIssue({ code: 'custom', message: `duplicate server name '${d.name}'`, path: ['servers', i, 'name'] });
        seen.add(d.name);
      }
    }
    return { servers, ...(options.file ? { file: options.file } : {}) };
  });

export function staticDiscoveryPlugin() {
  return definePlugin({
    name: 'discovery-static',
    kind: 'discovery',
    type: 'static',
    core: '^0.1.0',
    optionsSchema: staticOptionsSchema,
    register(ctx, options) {
      // Built by the entry's container: its id, options, logger and the config file's folder.
      ctx.provideFactory((c) => {
        const baseDir = c.isRegistered(Tokens.ConfigDir) ? c.resolve<string>(Tokens.ConfigDir) : undefined;
        return new StaticDiscoverer(c.resolve<string>(Tokens.InstanceId), { ...c.resolve<typeof options>(Tokens.Options), ...(baseDir !== undefined ? { baseDir } : {}) }, c.resolve<Logger>(Tokens.Logger));
      });
    },
  });
}

export default staticDiscoveryPlugin;
