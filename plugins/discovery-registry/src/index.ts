// @switchboard/discovery-registry: Switchboard plugin: discovery-registry
export {};
