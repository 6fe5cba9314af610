// Generates the config JSON Schema and the config reference from the zod schemas, for
// scripts/gen-config-docs.mjs (which writes them) and the test that keeps the committed copies fresh.
import { buildConfigJsonSchema } from './json-schema.js';
import { renderConfigReference } from './reference.js';
import { REFERENCE_FILE, SCHEMA_FILE } from './schema-url.js';

export { buildConfigJsonSchema, toJsonSchema, type BuiltSchema, type JsonSchema } from './json-schema.js';
export { renderConfigReference, typeOf } from './reference.js';
export { DESCRIPTIONS } from './descriptions.js';
export { CONFIG_SCHEMA_URL, REFERENCE_FILE, SCHEMA_FILE } from './schema-url.js';

export interface GeneratedConfigDocs {
  /** Repository-relative path → file text. */
  files: Record<string, string>;
  /** Keys without a description; the script warns, the test fails. */
  undocumented: string[];
}

export function generateConfigDocs(): GeneratedConfigDocs {
  const { schema, undocumented } = buildConfigJsonSchema();
  return {
    files: {
      [SCHEMA_FILE]: JSON.stringify(schema, null, 2) + '\n',
      [REFERENCE_FILE]: renderConfigReference(schema),
    },
    undocumented,
  };
}
