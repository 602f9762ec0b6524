// How many replicas a request count asks for. Pure: no I/O, no clock, table-tested.
import { SymphonyError } from '../errors.js';
import type { ScaleDecision } from '../status.js';

/** Inputs of the replica rule. */
export interface DesiredInput {
  /** Requests in the window. */
  readonly count: number;
  /** One more replica per this many requests. */
  readonly base: number;
  readonly min: number;
  readonly max: number;
}

/** Thrown when the rule's parameters cannot give a sensible answer. */
export class ScaleRuleError extends SymphonyError {
  override readonly name = 'ScaleRuleError';
  declare readonly code: 'SCALE_RULE_INVALID';
  constructor(message: string) {
    super('SCALE_RULE_INVALID', message);
  }
}

/** desired = clamp(floor(count / base) + 1, min, max), with the reason the clamp applied. */
export function desiredReplicas(input: DesiredInput): ScaleDecision {
  const { base, min, max } = input;
  if (!Number.isInteger(base) || base < 1) {
    throw new ScaleRuleError(`base scale count must be a whole number of at least 1, got ${String(base)}.`);
  }
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min) {
    throw new ScaleRuleError(`replicas need whole numbers with 0 <= min <= max, got min=${String(min)} max=${String(max)}; check --min and --max.`);
  }
  // A count that is negative or not a number is a caller bug; treat it as no requests.
  const count = Number.isNaN(input.count) ? 0 : Math.max(0, Math.floor(input.count));
  const proposed = Math.floor(count / base) + 1;
  if (proposed < min) return { replicas: min, reason: 'TooFewReplicas', proposed, count };
  if (proposed > max) return { replicas: max, reason: 'TooManyReplicas', proposed, count };
  return { replicas: proposed, reason: 'Rule', proposed, count };
}
