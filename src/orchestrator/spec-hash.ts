// The spec hash a container is labelled with (`docker-symphony.spec`): sha256 of the
// spec's canonical JSON, without its per-container fields, first 16 hex digits.
import { createHash } from 'node:crypto';
import type { ContainerSpec } from '../docker/index.js';
import { specHashInput } from './spec.js';

/** 16 hex digits that change whenever what the container is created from changes. */
export function specHash(spec: ContainerSpec): string {
  return createHash('sha256').update(specHashInput(spec)).digest('hex').slice(0, 16);
}
