// Names and numbers shared by browsing and advertising: the plugin's name (it appears in every
// error), the DNS-SD service type, the mDNS group and port, and the TTLs RFC 6762 §10 recommends.

export const PLUGIN_NAME = 'discovery-mdns';

export const DEFAULT_SERVICE_TYPE = '_mcp._tcp.local';

/** The DNS-SD meta-query that lists every service type on the link (RFC 6763 §9). */
export const SERVICES_META_QUERY = '_services._dns-sd._udp.local';

export const MDNS_PORT = 5353;

/** RFC 6762 §10: records that carry a host name (SRV, A, AAAA) live 120 s. */
export const HOST_RECORD_TTL_S = 120;

/** RFC 6762 §10: other records (PTR, TXT) live 75 minutes. */
export const OTHER_RECORD_TTL_S = 4500;
