// `{variable}` templates in remote URLs and header values (the registry's URL template syntax).

const VARIABLE = /\{([a-zA-Z_][a-zA-Z0-9_]*)\}/g;

export type Filled = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly missing: readonly string[] };

/** Replace every `{name}` by `lookup(name)`; lists the names nothing could fill. */
export function fillTemplate(template: string, lookup: (name: string) => string | undefined): Filled {
  const missing: string[] = [];
  const value = template.replace(VARIABLE, (whole, name: string) => {
    const filled = lookup(name);
    if (filled === undefined) {
      missing.push(name);
      return whole;
    }
    return filled;
  });
  return missing.length ? { ok: false, missing: [...new Set(missing)] } : { ok: true, value };
}
