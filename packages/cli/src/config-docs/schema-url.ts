// Where editors fetch the config JSON Schema from. The generated file is docs/switchboard.schema.json
// in the repository; this is its published address (the lead confirms the repository URL), and
// `switchboard init --schema` overrides it, for example with a local path.
export const CONFIG_SCHEMA_URL = 'https://raw.githubusercontent.com/switchboard/switchboard/main/docs/switchboard.schema.json';

export const SCHEMA_FILE = 'docs/switchboard.schema.json';
export const REFERENCE_FILE = 'docs/config-reference.md';
