// @switchboard/discovery-registry: discovers remote MCP servers (streamable-http and sse remotes)
// listed by the official MCP Registry or any registry implementing its API (GET /v0.1/servers).
export { RegistryDiscoverer } from './discoverer.js';
export { registryOptionsSchema, serverInputsSchema, type RegistryOptions, type RegistryOptionsInput, type ServerInputs } from './options.js';
export { RegistryClient, type ReadQuery, type RegistryClientOptions } from './registry-client.js';
export { servicesOf, type MappingContext, type Note, type ServerVerdict } from './server-services.js';
export { compileNamePattern, type NameFilter } from './name-filter.js';
export {
  OFFICIAL_META_KEY,
  serverListSchema,
  serverResponseSchema,
  type OfficialMeta,
  type RegistryRemote,
  type RegistryServerList,
  type RegistryServerResponse,
} from './api-schema.js';
export { registryDiscoveryPlugin } from './plugin.js';
export { registryDiscoveryPlugin as default } from './plugin.js';
