// The name every error and warning of this package carries.
export const PLUGIN_NAME = 'discovery-registry';
