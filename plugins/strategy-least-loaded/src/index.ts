// @switchboard/strategy-least-loaded: Switchboard plugin: strategy-least-loaded
export {};
