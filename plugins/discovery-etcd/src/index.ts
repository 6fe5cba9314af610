// @switchboard/discovery-etcd: Switchboard plugin: etcd fleet registry discovery
export {};
