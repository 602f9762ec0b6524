// Which API version to speak: the engine's, capped at the newest this client knows,
// and never below the oldest the engine still accepts. Pure.
import { DockerConfigError } from './errors.js';

/** The newest Docker Engine API version this client is written against. */
export const CLIENT_API_VERSION = '1.41';

/** True for a version the engine understands in a path, e.g. `1.41`. */
export function isApiVersion(value: string): boolean {
  return /^\d+\.\d+$/.test(value);
}

/** Orders two `major.minor` versions: negative when a < b, 0 when equal, positive when a > b. */
export function compareApiVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

/**
 * The version to use with an engine that reports `apiVersion` (and optionally
 * `minApiVersion`): the lower of the engine's and ours, raised to the engine's minimum.
 * An engine that reports no usable version gets ours.
 */
export function negotiateApiVersion(
  engine: { readonly apiVersion: string; readonly minApiVersion?: string },
  ours: string = CLIENT_API_VERSION,
): string {
  if (!isApiVersion(ours)) {
    throw new DockerConfigError(`API version '${ours}' is not of the form major.minor (e.g. 1.41).`);
  }
  if (!isApiVersion(engine.apiVersion)) return ours;
  const lower = compareApiVersions(engine.apiVersion, ours) < 0 ? engine.apiVersion : ours;
  const min = engine.minApiVersion;
  if (min !== undefined && isApiVersion(min) && compareApiVersions(lower, min) < 0) return min;
  return lower;
}
