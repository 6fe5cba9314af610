// oidc-provider ships no type declarations: the part of its API the test issuer
// (helpers/oidc.ts) uses, so the tests type-check.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  interface ProviderClient {
    clientId: string;
  }

  interface GrantContext {
    oidc: { params: unknown; client?: ProviderClient };
    status: number;
    body: unknown;
  }

  interface ProviderConfiguration {
    clients: Array<Record<string, unknown>>;
    scopes: string[];
    jwks: { keys: unknown[] };
    features: {
      devInteractions?: { enabled: boolean };
      clientCredentials?: { enabled: boolean };
      resourceIndicators?: {
        enabled: boolean;
        getResourceServerInfo: (ctx: unknown, resource: string, client: ProviderClient) => Record<string, unknown>;
      };
    };
  }

  export default class Provider {
    constructor(issuer: string, configuration: ProviderConfiguration);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    registerGrantType(name: string, handler: (ctx: GrantContext) => Promise<void>, parameters?: string[]): void;
  }
}
