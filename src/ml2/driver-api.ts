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
