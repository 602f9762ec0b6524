// Whether a replica an earlier run left can be taken over. Pure: the owner lists the
// replicas (ReplicaRuntime.list), asks this, then probes the health API of those worth keeping.
import type { PortRange } from '../config.js';
import type { ReplicaAddress, ReplicaSummary } from '../runtime/types.js';
import { SPEC_LABEL } from './labels.js';

/** What the owner wants of a container it may adopt. */
export interface AdoptionWants {
  readonly containerPort: number;
  readonly hostPorts: PortRange | null;
  /** The spec hash new containers get. */
  readonly specHash: string;
}

/**
 * `probe`: worth probing, at `address`; `current` says whether it matches the spec (if
 * not, it serves until replacements of the current spec are ready; `why` says what
 * differs). `remove`: it cannot serve.
 */
export type AdoptionDecision =
  | { readonly kind: 'probe'; readonly address: ReplicaAddress; readonly current: true }
  | { readonly kind: 'probe'; readonly address: ReplicaAddress; readonly current: false; readonly why: string }
  | { readonly kind: 'remove'; readonly why: string };

/** Decides from the listing alone whether a replica may be adopted, and whether as current or outdated. */
export function adoptionDecision(s: ReplicaSummary, wants: AdoptionWants): AdoptionDecision {
  if (s.state !== 'running') return { kind: 'remove', why: `it is ${s.state}` };
  const address = s.address;
  if (address === null) return { kind: 'remove', why: `container port ${wants.containerPort} is not published` };
  const port = address.port;
  const hash = s.labels[SPEC_LABEL];
  if (hash === undefined) return { kind: 'probe', address, current: false, why: 'it has no spec label (made by an older version)' };
  if (hash !== wants.specHash) return { kind: 'probe', address, current: false, why: `it was made from another spec (${hash}, now ${wants.specHash})` };
  const range = wants.hostPorts;
  if (range && (port < range.first || port > range.last)) return { kind: 'probe', address, current: false, why: `its host port ${port} is outside --host-ports` };
  return { kind: 'probe', address, current: true };
}
