// @switchboard/discovery-mdns: Switchboard plugin: mDNS/DNS-SD discovery and advertising
export {};
