// @switchboard/strategy-latency: Switchboard plugin: strategy-latency
export {};
