/**
 * User-defined networks (issue 15 §1): one Linux bridge and IPv4 subnet per
 * network, containers attached by veth, names and aliases resolved through a
 * managed /etc/hosts, isolation between networks in nftables. The built-in
 * `bridge`, `host` and `none` are listed too (docker's `network ls`) and can
 * be neither created nor removed.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { method } from './define';

/** Docker's rule for network names. */
export const NetworkName = lazy(() =>
  z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, _ . - (docker rules)'),
);

/** A name a container answers to on one network (--network-alias): a DNS label chain. */
export const NetworkAlias = lazy(() =>
  z
    .string()
    .min(1)
    .max(253)
    .regex(/^[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?$/, 'a host name (letters, digits, . - _)'),
);

export const Ipv4 = lazy(() =>
  z
    .string()
    .max(15)
    .regex(/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/, 'an IPv4 address'),
);

/** A network by id, unique id prefix or name. */
export const NetworkRef = lazy(() =>
  z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a network id or name'),
);

export const NetworkCreate = lazy(() =>
  z
    .object({
      name: NetworkName,
      /** IPv4 CIDR; absent: a free /24 from the pool (10.89.1.0/24 … 10.89.255.0/24). */
      subnet: z.string().max(18).optional(),
      /** Absent: the subnet's first host address. */
      gateway: Ipv4.optional(),
      /** No egress: no masquerade, no default route, nothing forwarded in or out of the bridge. */
      internal: z.boolean().default(false),
      labels: z.record(z.string().max(256), z.string().max(4096)).default({}),
    })
    .strict(),
);

export const NetworkSummary = lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    /** bridge: a Linux bridge; host: the host's namespace; null: a namespace with lo only. */
    driver: z.enum(['bridge', 'host', 'null']),
    scope: z.literal('local'),
    created: z.string(),
    internal: z.boolean(),
    /** bridge, host and none: made by Berth itself, never removed. */
    builtin: z.boolean(),
    subnet: z.string().nullable(),
    gateway: z.string().nullable(),
    /** The Linux bridge's interface name. */
    bridge: z.string().nullable(),
    labels: z.record(z.string(), z.string()),
    /** Containers attached (running or not). */
    containerCount: z.number().int().min(0),
  }),
);

/** One container's attachment to a network. */
export const NetworkEndpoint = lazy(() =>
  z.object({
    containerId: z.string(),
    containerName: z.string(),
    state: z.string(),
    /** The address it holds while running; null when stopped. */
    ip: z.string().nullable(),
    /** The address asked for with --ip (kept across restarts). */
    ipRequested: z.string().nullable(),
    aliases: z.array(z.string()),
    /** Its interface inside the container (eth0, eth1, …) and the host end of the veth; null when stopped. */
    ifname: z.string().nullable(),
    hostVeth: z.string().nullable(),
  }),
);

export const NetworkDetail = lazy(() =>
  NetworkSummary.extend({
    containers: z.array(NetworkEndpoint),
    /** Where the kernel state lives: the IPAM table and the nftables table this network's elements are in. */
    paths: z.object({ record: z.string().nullable(), ipam: z.string().nullable(), nftTable: z.string().nullable() }),
  }),
);

/** A container's attachment as containers.inspect shows it (docker's NetworkSettings.Networks). */
export const ContainerEndpoint = lazy(() =>
  z.object({
    network: z.string(),
    networkId: z.string(),
    ip: z.string().nullable(),
    aliases: z.array(z.string()),
    ifname: z.string().nullable(),
  }),
);

const ById = lazy(() => z.object({ id: NetworkRef }));

export const networkMethods = {
  'networks.create': method({
    where: 'helper',
    params: NetworkCreate,
    result: NetworkSummary,
    summary: 'Create a bridge network with its own subnet',
  }),
  'networks.list': method({
    where: 'helper',
    params: lazy(() =>
      z.object({ filters: z.object({ name: z.string().max(64).optional() }).default({}) }).default({ filters: {} }),
    ),
    result: lazy(() => z.array(NetworkSummary)),
    summary: 'The networks, built-in ones first',
  }),
  'networks.inspect': method({
    where: 'helper',
    params: ById,
    result: NetworkDetail,
    summary: 'A network with its attached containers and their addresses',
  }),
  'networks.remove': method({
    where: 'helper',
    params: ById,
    result: lazy(() => z.object({ id: z.string(), name: z.string() })),
    summary: 'Remove a network no container is attached to',
  }),
  'networks.connect': method({
    where: 'helper',
    params: lazy(() =>
      z
        .object({
          network: NetworkRef,
          container: z.string().min(1).max(128),
          aliases: z.array(NetworkAlias).max(32).default([]),
          ip: Ipv4.optional(),
        })
        .strict(),
    ),
    result: lazy(() => z.object({ network: z.string(), container: z.string(), ip: z.string().nullable() })),
    summary: 'Attach a container (live when it runs: a new veth in its namespace)',
  }),
  'networks.disconnect': method({
    where: 'helper',
    params: lazy(() => z.object({ network: NetworkRef, container: z.string().min(1).max(128) }).strict()),
    result: lazy(() => z.object({ network: z.string(), container: z.string() })),
    summary: 'Detach a container (live when it runs)',
  }),
  'networks.prune': method({
    where: 'helper',
    params: lazy(() => z.object({}).default({})),
    result: lazy(() => z.object({ removed: z.array(z.string()) })),
    summary: 'Remove every user network no container is attached to',
  }),
} as const;

export const networkEvents = {
  'networks.changed': lazy(() =>
    z.object({
      id: z.string(),
      name: z.string(),
      action: z.enum(['create', 'remove', 'connect', 'disconnect']),
      container: z.string().nullable(),
      at: z.string(),
    }),
  ),
} as const;

export type NetworkCreateT = z.output<typeof NetworkCreate>;
export type NetworkSummaryT = z.output<typeof NetworkSummary>;
export type NetworkDetailT = z.output<typeof NetworkDetail>;
export type NetworkEndpointT = z.output<typeof NetworkEndpoint>;
export type ContainerEndpointT = z.output<typeof ContainerEndpoint>;

/** Error codes of user-defined networks. */
export const networkErrorCodes = [
  'NETWORK_NOT_FOUND',
  'NETWORK_AMBIGUOUS', // an id prefix that matches more than one network
  'NETWORK_NAME_IN_USE',
  'NETWORK_BUILTIN', // bridge, host and none cannot be created, removed, connected or disconnected by name
  'NETWORK_IN_USE', // remove while containers are attached (details.containers names them)
  'NETWORK_SUBNET_OVERLAP', // the subnet overlaps another network or a host route (details say which)
  'NETWORK_POOL_EXHAUSTED', // no free /24 left in the pool
  'NETWORK_GATEWAY_OUTSIDE', // --gateway is not a host address of the subnet
  'NETWORK_IP_OUTSIDE', // --ip is not a host address of the network's subnet
  'NETWORK_IP_IN_USE', // --ip is held by another container
  'NETWORK_ALREADY_CONNECTED',
  'NETWORK_NOT_CONNECTED',
  'NETWORK_MODE_CONFLICT', // host / none containers cannot join networks; --ip and aliases need a user network
] as const;
