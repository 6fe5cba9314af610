// Injection tokens. Symbol.for() so that a plugin built against another copy of core still matches.
// Every plugin registration gets a child container of its own in which these resolve to what
// belongs to that one config entry; the kind tokens are what the plugin provides there.
export const Tokens = {
  // What plugins provide.
  Strategy: Symbol.for('@switchboard/core/Strategy'),
  Discoverer: Symbol.for('@switchboard/core/Discoverer'),
  Transport: Symbol.for('@switchboard/core/Transport'),
  HealthChecker: Symbol.for('@switchboard/core/HealthChecker'),
  // What a plugin's implementation may have injected.
  /** The entry's options, parsed by the plugin's own schema. */
  Options: Symbol.for('@switchboard/core/Options'),
  /** The entry's instance id (`static#0`, `mdns#1`): a discoverer's id and source. */
  InstanceId: Symbol.for('@switchboard/core/InstanceId'),
  /** A logger bound to the plugin's name. */
  Logger: Symbol.for('@switchboard/core/Logger'),
  /** Monotonic milliseconds (performance.now), replaceable in tests. */
  Clock: Symbol.for('@switchboard/core/Clock'),
  /** The config file's folder, when the router was made from a file (relative paths resolve against it). */
  ConfigDir: Symbol.for('@switchboard/core/ConfigDir'),
} as const;
