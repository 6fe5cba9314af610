// @switchboard/strategy-round-robin: Switchboard plugin: strategy-round-robin
export {};
