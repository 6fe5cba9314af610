// @switchboard/cli: The switchboard command line
export {};
