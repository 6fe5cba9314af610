// @switchboard/transport-http: Switchboard plugin: transport-http
export {};
