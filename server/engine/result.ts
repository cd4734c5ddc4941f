// What every engine procedure returns: effects for the shell to carry out, in order, and the
// decisions that explain them. State changes are effects too (CACHE_PUT, SET_MODE ...), so a
// recorded input log can be replayed into the same state.
import type { Decision } from './decision';
import type { Effect } from './effects';

export interface EngineResult {
  effects: Effect[];
  decisions: Decision[];
}

export function emptyResult(): EngineResult {
  return { effects: [], decisions: [] };
}
