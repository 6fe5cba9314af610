// The plugin's name, as it appears in every error and log line it causes.
export const PLUGIN_NAME = 'discovery-etcd';
