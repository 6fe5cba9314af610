// The name every error this package raises carries, so a failure points at the plugin that caused it.
export const PLUGIN_NAME = 'transport-ws';
