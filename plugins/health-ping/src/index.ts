// @switchboard/health-ping: Switchboard plugin: health-ping
export {};
