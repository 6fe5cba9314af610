// @switchboard/strategy-first-match: Switchboard plugin: strategy-first-match
export {};
