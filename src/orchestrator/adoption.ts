// Whether a container an earlier run left can be taken over. Pure: the owner lists
// the containers, asks this, then probes the health API of those worth keeping.
import type { PortRange } from '../config.js';
import { publishedPort, type ContainerSummary } from '../docker/types.js';
import { SPEC_LABEL } from './labels.js';

/** What the owner wants of a container it may adopt. */
export interface AdoptionWants {
  readonly containerPort: number;
  readonly hostPorts: PortRange | null;
  /** The spec hash new containers get. */
  readonly specHash: string;
}

/**
 * `probe`: worth probing, on `port`; `current` says whether it matches the spec (if
 * not, it serves until replacements of the current spec are ready; `why` says what
 * differs). `remove`: it cannot serve.
 */
export type AdoptionDecision =
  | { readonly kind: 'probe'; readonly port: number; readonly current: true }
  | { readonly kind: 'probe'; readonly port: number; readonly current: false; readonly why: string }
  | { readonly kind: 'remove'; readonly why: string };

/** Decides from the listing alone whether a container may be adopted, and whether as current or outdated. */
export function adoptionDecision(s: ContainerSummary, wants: AdoptionWants): AdoptionDecision {
  if (s.state !== 'running') return { kind: 'remove', why: `it is ${s.state}` };
  const port = publishedPort(s, wants.containerPort);
  if (port === undefined) return { kind: 'remove', why: `container port ${wants.containerPort} is not published` };
  const hash = s.labels[SPEC_LABEL];
  if (hash === undefined) return { kind: 'probe', port, current: false, why: 'it has no spec label (made by an older version)' };
  if (hash !== wants.specHash) return { kind: 'probe', port, current: false, why: `it was made from another spec (${hash}, now ${wants.specHash})` };
  const range = wants.hostPorts;
  if (range && (port < range.first || port > range.last)) return { kind: 'probe', port, current: false, why: `its host port ${port} is outside --host-ports` };
  return { kind: 'probe', port, current: true };
}
