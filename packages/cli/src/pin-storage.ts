// Where a config keeps its tool pins, for `switchboard serve` and `switchboard pins`: the pin file
// beside the config (default), or one etcd key a fleet shares (`gateway.pins.store: { type: etcd }`).
import { dirname, resolve } from 'node:path';
import { createEtcdDocumentStore } from '@switchboard/discovery-etcd';
import { EMPTY_PINS, filePinStorage, readPinFile, type GatewayConfig, type PinFileContents, type PinStorage } from '@switchboard/gateway';
import type { Logger } from '@switchboard/core';

/** The pin file's name beside the config file, unless `gateway.pins.file` names another. */
export const PINS_FILE = 'switchboard.pins.json';

export interface OpenedPins {
  /** Where they are, for messages: a file path or `etcd <key>`. */
  readonly where: string;
  readonly store: PinStorage;
  /** What is stored now. */
  readonly initial: PinFileContents;
}

type PinsSection = Exclude<GatewayConfig['pins'], false>;

export async function openPins(pins: PinsSection, configFile: string, logger: Logger): Promise<OpenedPins> {
  if (pins.store?.type === 'etcd') {
    const doc = createEtcdDocumentStore<PinFileContents>({ endpoints: pins.store.endpoints, key: pins.store.key, onError: (error) => logger.warn('pin store error', { error }) });
    const store: PinStorage = {
      update: (change) => doc.update(change, EMPTY_PINS),
      watch: (listener) => doc.watch(listener),
      close: () => doc.close(),
    };
    try {
      return { where: `etcd ${pins.store.key}`, store, initial: (await doc.read()) ?? EMPTY_PINS };
    } catch (error) {
      await doc.close();
      throw error;
    }
  }
  const file = resolve(dirname(configFile), pins.file ?? PINS_FILE);
  return { where: file, store: filePinStorage(file, logger), initial: readPinFile(file) };
}
