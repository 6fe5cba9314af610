// @switchboard/discovery-static: Switchboard plugin: discovery-static
export {};
