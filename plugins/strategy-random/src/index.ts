// @switchboard/strategy-random: Switchboard plugin: strategy-random
export {};
