// The plugin's errors: always a SwitchboardError carrying the plugin name, so core and users can
// tell which plugin a failure came from.
import { SwitchboardError, type SwitchboardErrorCode } from '@switchboard/core';
import { PLUGIN_NAME } from './constants.js';

export function mdnsError(code: SwitchboardErrorCode, message: string, cause?: unknown): SwitchboardError {
  return new SwitchboardError(code, message, cause === undefined ? { plugin: PLUGIN_NAME } : { plugin: PLUGIN_NAME, cause });
}
