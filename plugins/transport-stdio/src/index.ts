// @switchboard/transport-stdio: Switchboard plugin: transport-stdio
export {};
