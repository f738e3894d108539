/**
 * ML2's contracts. Type drivers own segment pools; mechanism drivers decide port bindings.
 *
 * Transaction contract: every method taking `tx` runs inside the API request's one transaction.
 * It may read and write the database through `tx` only, must not block on anything else (no
 * network, no kernel) and must be safe to run again (the transaction is retried on deadlock).
 * A throw aborts the whole request: nothing it wrote stays.
 */
import type { Tx } from '../store/db.js';

export interface Segment {
  network_type: string;
  physical_network: string | null;
  segmentation_id: number | null;
}

/** What a client asked for; any attribute may be missing. */
export interface SegmentRequest {
  network_type: string;
  physical_network?: string | null;
  segmentation_id?: number | null;
}

export interface TypeDriver {
  readonly networkType: string;
  /** Pure check of a provider request against the configuration; throws NeutronError (400). */
  validateProviderSegment(request: SegmentRequest): void;
  /** Takes the requested segment; throws …InUse (409) when another network has it. */
  reserveProviderSegment(tx: Tx, request: SegmentRequest): Promise<Segment>;
  /** Takes a free segment for a project network; null when the pool is exhausted. */
  allocateProjectSegment(tx: Tx): Promise<Segment | null>;
  /** Gives a segment back when its network is deleted. */
  releaseSegment(tx: Tx, segment: Segment): Promise<void>;
  /** The MTU this type allows on `physicalNetwork` (0 when it sets no limit). */
  mtu(physicalNetwork: string | null): number;
  /** Brings the free pools in line with the configuration, keeping segments in use (runs at start). */
  syncPools(tx: Tx): Promise<void>;
}

export interface Ml2Settings {
  typeDrivers: string[];
  tenantNetworkTypes: string[];
  mechanismDrivers: string[];
  extensionDrivers: string[];
  globalPhysnetMtu: number;
  pathMtu: number;
  physicalNetworkMtus: Record<string, number>;
  flatNetworks: string[];            // '*' = any
  networkVlanRanges: { physicalNetwork: string; ranges: [number, number][] }[];
  vxlanVniRanges: [number, number][];
  geneveVniRanges: [number, number][];
  geneveMaxHeaderSize: number;
  greTunnelIdRanges: [number, number][];
  /** IP version of the overlay (Neutron's [ml2] overlay_ip_version). */
  overlayIpVersion: 4 | 6;
}

/** An agent as a mechanism driver sees it: its latest report and whether it is alive now. */
export interface AgentView {
  agent_type: string;
  host: string;
  alive: boolean;
  admin_state_up: boolean;
  /** The agent's reported configurations (interface_mappings, bridge_mappings, tunnel_types, ...). */
  configurations: Record<string, unknown>;
}

/** What a mechanism driver decides a binding from (Neutron's PortContext, reduced to data). */
export interface PortBindingContext {
  port: { id: string; 'binding:host_id': string; 'binding:vnic_type': string; device_owner: string };
  /** The network's segments, in order. */
  segments: Segment[];
  /** Every agent registered on the port's host (any type). */
  hostAgents: AgentView[];
}

export interface PortBinding {
  vif_type: string;
  vif_details: Record<string, unknown>;
  /** The segment bound (the agent wires the port to this one). */
  segment: Segment;
}

/**
 * A mechanism driver decides whether and how a port binds on its host.
 *
 * `bindPort` is pure: no I/O, no clock (liveness is precomputed in `hostAgents`), no side effects.
 * Core calls it inside the port's transaction whenever `binding:host_id` is set or changed and
 * again when an agent on that host reports for the first time or changes its configuration; drivers
 * are tried in `[ml2] mechanism_drivers` order and the first non-null result wins. Null from all of
 * them means `binding:vif_type` = `binding_failed`. Drivers have no post-commit hooks.
 */
export interface MechanismDriver {
  readonly name: string;
  /** The agent type whose reports this driver binds with (e.g. 'Linux bridge agent'); null: none. */
  readonly agentType: string | null;
  bindPort(ctx: PortBindingContext): PortBinding | null;
  /** Pure: whether `agent` can wire `segment` (used to pick the segment a host's state renders). */
  segmentReachable(segment: Segment, agent: AgentView): boolean;
  /** Whether tunnelled networks get l2population entries (the `l2population` driver). */
  readonly l2population?: boolean;
}
