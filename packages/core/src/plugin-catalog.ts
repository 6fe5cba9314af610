// Which plugins this router can use: the ones handed over in code, the ones config names by
// package, and the built-in names, which resolve to first-party packages on first use.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import semver from 'semver';
import { BUILTIN_PLUGIN_PACKAGES } from './builtins.js';
import { SwitchboardError } from './errors.js';
import type { AnyPlugin, PluginKind } from './plugin.js';
import { CORE_VERSION } from './version.js';

const KINDS: readonly PluginKind[] = ['discovery', 'strategy', 'transport', 'health'];

export interface PluginCatalogOptions {
  /** Directories to resolve package names from, in order. Default: the working directory. */
  resolveFrom?: readonly string[];
}

export class PluginCatalog {
  private readonly byKey = new Map<string, AnyPlugin>();
  private readonly loadedPackages = new Set<string>();
  private readonly resolveFrom: readonly string[];

  constructor(options: PluginCatalogOptions = {}) {
    this.resolveFrom = options.resolveFrom ?? [process.cwd()];
  }

  add(plugin: unknown, origin = 'code'): AnyPlugin {
    const p = validatePluginShape(plugin, origin);
    if (!semver.satisfies(CORE_VERSION, p.core, { includePrerelease: true })) {
      throw new SwitchboardError(
        'PLUGIN_CORE_MISMATCH',
        `plugin '${p.name}' needs @switchboard/core ${p.core}, but this is ${CORE_VERSION}; install a version of the plugin built for it`,
        { plugin: p.name },
      );
    }
    const key = `${p.kind}:${p.type}`;
    const existing = this.byKey.get(key);
    if (existing && existing !== p) {
      if (existing.name === p.name) return existing; // the same plugin loaded twice (two copies)
      throw new SwitchboardError(
        'PLUGIN_DUPLICATE',
        `two plugins provide ${p.kind} '${p.type}': '${existing.name}' and '${p.name}'; remove one of them`,
        { plugin: p.name },
      );
    }
    this.byKey.set(key, p);
    return p;
  }

  get(kind: PluginKind, type: string): AnyPlugin | undefined {
    return this.byKey.get(`${kind}:${type}`);
  }

  all(kind: PluginKind): AnyPlugin[] {
    return [...this.byKey.values()].filter((p) => p.kind === kind);
  }

  /** Import a package and add every plugin it exports. */
  async loadPackage(packageName: string): Promise<AnyPlugin[]> {
    if (this.loadedPackages.has(packageName)) return [];
    const mod = await this.importPackage(packageName);
    const plugins = extractPlugins(mod, packageName);
    if (plugins.length === 0) {
      throw new SwitchboardError(
        'PLUGIN_INVALID',
        `package '${packageName}' exports no Switchboard plugin; its default export must be a plugin, an array of plugins, or a function returning one`,
        { plugin: packageName },
      );
    }
    this.loadedPackages.add(packageName);
    return plugins.map((p) => this.add(p, packageName));
  }

  /** The plugin for kind+type, loading its first-party package if the name is built in. */
  async require(kind: PluginKind, type: string): Promise<AnyPlugin> {
    const found = this.get(kind, type);
    if (found) return found;
    const builtin = BUILTIN_PLUGIN_PACKAGES[kind][type];
    if (builtin) {
      try {
        await this.loadPackage(builtin);
      } catch (error) {
        if (SwitchboardError.is(error) && error.code === 'PLUGIN_NOT_FOUND') {
          throw new SwitchboardError(
            'PLUGIN_NOT_FOUND',
            `${kind} '${type}' is provided by ${builtin}, which is not installed; run: pnpm add ${builtin}`,
            { plugin: builtin, cause: error },
          );
        }
        throw error;
      }
      const loaded = this.get(kind, type);
      if (loaded) return loaded;
    }
    const available = [...new Set([...Object.keys(BUILTIN_PLUGIN_PACKAGES[kind]), ...this.all(kind).map((p) => p.type)])];
    throw new SwitchboardError(
      'PLUGIN_NOT_FOUND',
      `no ${kind} plugin named '${type}'; install the package that provides it and list it under \`plugins\`, or choose one of: ${available.join(', ')}`,
      { plugin: type },
    );
  }

  /** Load built-in packages of one kind that are installed, silently skipping the missing ones. */
  async loadInstalledBuiltins(kind: PluginKind): Promise<void> {
    for (const pkg of new Set(Object.values(BUILTIN_PLUGIN_PACKAGES[kind]))) {
      if (this.loadedPackages.has(pkg) || this.all(kind).some((p) => p.name === pkg.replace('@switchboard/', ''))) continue;
      try {
        await this.loadPackage(pkg);
      } catch (error) {
        if (!(SwitchboardError.is(error) && error.code === 'PLUGIN_NOT_FOUND')) throw error;
      }
    }
  }

  private async importPackage(packageName: string): Promise<Record<string, unknown>> {
    const tried: string[] = [];
    for (const dir of this.resolveFrom) {
      let resolved: string;
      try {
        resolved = createRequire(join(dir, 'noop.js')).resolve(packageName);
      } catch {
        tried.push(dir);
        continue;
      }
      return (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
    }
    try {
      // Last resort: resolution relative to core itself (a flat node_modules).
      return (await import(packageName)) as Record<string, unknown>;
    } catch (error) {
      throw new SwitchboardError(
        'PLUGIN_NOT_FOUND',
        `cannot find plugin package '${packageName}' (looked in ${tried.join(', ') || 'the working directory'}); install it with: pnpm add ${packageName}`,
        { plugin: packageName, cause: error },
      );
    }
  }
}

function extractPlugins(mod: Record<string, unknown>, origin: string): unknown[] {
  const out: unknown[] = [];
  const take = (value: unknown): void => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) value.forEach(take);
    else if (typeof value === 'function') take((value as () => unknown)());
    else out.push(value);
  };
  take(mod.default ?? mod.plugins ?? mod.plugin);
  if (out.length === 0) return [];
  for (const p of out) validatePluginShape(p, origin);
  return out;
}

function validatePluginShape(value: unknown, origin: string): AnyPlugin {
  const p = value as Partial<AnyPlugin> | null;
  const name = p && typeof p.name === 'string' && p.name ? p.name : origin;
  const problems: string[] = [];
  if (!p || typeof p !== 'object') problems.push('is not an object');
  else {
    if (typeof p.name !== 'string' || !p.name) problems.push('`name` must be a non-empty string');
    if (!KINDS.includes(p.kind as PluginKind)) problems.push(`\`kind\` must be one of ${KINDS.join(', ')}`);
    if (typeof p.type !== 'string' || !p.type) problems.push('`type` must be a non-empty string');
    if (typeof p.core !== 'string' || !semver.validRange(p.core)) problems.push('`core` must be a semver range such as "^0.1.0"');
    if (!p.optionsSchema || typeof (p.optionsSchema as { safeParse?: unknown }).safeParse !== 'function')
      problems.push('`optionsSchema` must be a zod schema');
    if (typeof p.register !== 'function') problems.push('`register` must be a function');
  }
  if (problems.length > 0) {
    throw new SwitchboardError('PLUGIN_INVALID', `plugin '${name}' (from ${origin}) is not valid: ${problems.join('; ')}`, {
      plugin: name,
    });
  }
  return p as AnyPlugin;
}
