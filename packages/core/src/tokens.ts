// Injection tokens. Symbol.for() so that a plugin built against another copy of core still matches.
export const Tokens = {
  Strategy: Symbol.for('@switchboard/core/Strategy'),
  Discoverer: Symbol.for('@switchboard/core/Discoverer'),
  Transport: Symbol.for('@switchboard/core/Transport'),
  HealthChecker: Symbol.for('@switchboard/core/HealthChecker'),
  Logger: Symbol.for('@switchboard/core/Logger'),
  Config: Symbol.for('@switchboard/core/Config'),
  Registry: Symbol.for('@switchboard/core/ServiceRegistry'),
} as const;
