/**
 * Rules about columns that the service and the renderer both apply, kept in one place so the
 * Data panel shows exactly what a run will do. Plain TypeScript.
 */
import type { ColumnType } from './contract.js';
import type { ColumnPrep } from './run-config.js';

export type FeatureKind = 'numeric' | 'categorical' | 'boolean' | 'datetime';

/** How a feature column is encoded, from its detected type and the user's read-as choice. */
export function featureKind(type: ColumnType, treatAs?: ColumnPrep['treatAs']): FeatureKind {
  if (treatAs) return treatAs;
  if (type === 'boolean' || type === 'datetime') return type;
  return type === 'numeric' || type === 'integer' ? 'numeric' : 'categorical';
}

/**
 * Whether a column (not the target) is an input of the run: a "feature" role always, an "ignore"
 * role never, otherwise unless the data check leaves it out by default (identifier, constant, free text).
 */
export function usesColumn(role: ColumnPrep['role'], leftOutByDefault: boolean): boolean {
  return role === 'feature' || (role !== 'ignore' && !leftOutByDefault);
}
