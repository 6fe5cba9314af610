// Advertising an MCP server on the link (RFC 6762 §8, RFC 6763): probe for a unique instance name,
// announce twice one second apart, answer queries for its records, and say goodbye (TTL 0) on stop.
import { createLogger, type Logger } from '@switchboard/core';
import type { QueryPacket } from 'multicast-dns';
import { advertiseOptionsSchema, type AdvertiseOptions } from './advertise-options.js';
import { HOST_RECORD_TTL_S, OTHER_RECORD_TTL_S } from './constants.js';
import { mdnsError } from './errors.js';
import { publishedHost } from './host.js';
import { labelProblem } from './names.js';
import { probeUniqueLabel } from './probe.js';
import { announcementRecords, buildRecordSet, goodbyeRecords, type RecordSet } from './record-set.js';
import { replyTo } from './responder.js';
import { openMdnsSocket, type MdnsSocket } from './socket.js';
import { encodeTxt } from './txt.js';

/** RFC 6762 §8.3: the second announcement follows the first after one second. */
const ANNOUNCE_GAP_MS = 1000;

export interface AdvertiseContext {
  readonly logger?: Logger;
}

export interface StopOptions {
  /** Send the TTL-0 goodbye (default). `false` just goes silent, as a crashed process would. */
  readonly goodbye?: boolean;
}

export interface Advertisement {
  /** The instance label finally claimed, e.g. `weather` or `weather (2)`. */
  readonly instanceName: string;
  /** The full instance name, e.g. `weather._mcp._tcp.local`. */
  readonly fullName: string;
  readonly host: string;
  readonly addresses: readonly string[];
  stop(options?: StopOptions): Promise<void>;
}

export async function advertise(options: AdvertiseOptions, context: AdvertiseContext = {}): Promise<Advertisement> {
  const parsed = advertiseOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ');
    throw mdnsError('CONFIG_INVALID', `invalid mDNS advertise options: ${issues}`);
  }
  const opts = parsed.data;
  const problem = labelProblem(opts.name);
  if (problem) throw mdnsError('CONFIG_INVALID', `cannot advertise the name '${opts.name}': ${problem}`);

  const logger = context.logger ?? createLogger();
  const { host, addresses } = publishedHost(opts);
  const txt = encodeTxt([['txtvers', '1'], ['proto', opts.proto], ['path', opts.path], ...(opts.caps.length > 0 ? [['caps', opts.caps.join(',')] as const] : [])]);
  const recordsFor = (label: string): RecordSet =>
    buildRecordSet({
      label,
      serviceType: opts.serviceType,
      host,
      port: opts.port,
      txt,
      addresses,
      hostTtl: opts.ttlSeconds ?? HOST_RECORD_TTL_S,
      otherTtl: opts.ttlSeconds ?? OTHER_RECORD_TTL_S,
    });

  const socket = await openMdnsSocket({ interface: opts.interface, port: opts.mdnsPort, logger });
  let label: string;
  try {
    label = await probeUniqueLabel(socket, { name: opts.name, serviceType: opts.serviceType, recordsFor });
    if (labelProblem(label)) throw mdnsError('CONFIG_INVALID', `the name '${opts.name}' is taken and '${label}' is too long to advertise`);
  } catch (err) {
    await socket.close();
    throw err;
  }
  if (label !== opts.name) logger.info('mdns: instance name taken, renamed', { requested: opts.name, name: label });
  // Answer queries from the moment the name is ours, before the first announcement is even out.
  const responder = new Responder(socket, recordsFor(label), label, addresses, logger);
  const error = await responder.announce();
  if (error) {
    await responder.stop({ goodbye: false });
    throw mdnsError('PLUGIN_ERROR', `cannot announce '${responder.fullName}': ${error.message}`, error);
  }
  return responder;
}

class Responder implements Advertisement {
  readonly instanceName: string;
  readonly fullName: string;
  readonly host: string;
  readonly addresses: readonly string[];
  private stopped = false;
  private announceTimer: NodeJS.Timeout | undefined;
  private readonly onQuery = (query: QueryPacket): void => {
    if (this.stopped) return;
    const reply = replyTo(query, this.records);
    if (reply) void this.socket.respond(reply).then((error) => error && this.logger.warn('mdns: could not answer a query', { err: error }));
  };

  constructor(
    private readonly socket: MdnsSocket,
    private readonly records: RecordSet,
    label: string,
    addresses: readonly string[],
    private readonly logger: Logger,
  ) {
    this.instanceName = label;
    this.fullName = records.fqdn;
    this.host = records.host;
    this.addresses = addresses;
    socket.mdns.on('query', this.onQuery);
  }

  /** The first announcement; the second follows on its own one second later unless stopped. */
  async announce(): Promise<Error | undefined> {
    const error = await this.socket.respond({ answers: announcementRecords(this.records) });
    if (!error && !this.stopped) {
      this.announceTimer = setTimeout(() => void this.announceAgain(), ANNOUNCE_GAP_MS);
      this.announceTimer.unref();
    }
    return error;
  }

  async stop(options: StopOptions = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.announceTimer);
    this.socket.mdns.off('query', this.onQuery);
    if (options.goodbye !== false) {
      const error = await this.socket.respond({ answers: goodbyeRecords(this.records) });
      if (error) this.logger.warn('mdns: could not send the goodbye', { err: error, instance: this.fullName });
    }
    await this.socket.close();
  }

  private async announceAgain(): Promise<void> {
    if (this.stopped) return;
    const error = await this.socket.respond({ answers: announcementRecords(this.records) });
    if (error) this.logger.warn('mdns: could not announce', { err: error, instance: this.fullName });
  }
}
