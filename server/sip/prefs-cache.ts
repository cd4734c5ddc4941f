// Served users' CPM preferences (SPEC §11.6) kept in memory: every delivery consults them, and a
// database read per request was the largest single cost in the benchmark profile. A console edit
// calls pf.policyChanged(aor), which drops the user's entry, so the next request reads the new rules.
import type { UserPrefs } from '../engine/model';
import type { Db } from '../store/database';
import { loadUserPrefs } from '../store/user-prefs';
import type { StorageGuard } from './storage-unavailable';

export class PrefsCache {
  private readonly byUser = new Map<string, Promise<UserPrefs>>();

  constructor(
    private readonly db: Db,
    private readonly userId: (aor: string) => string | undefined,
    private readonly guard: StorageGuard,
  ) {}

  get(aor: string): Promise<UserPrefs> {
    let p = this.byUser.get(aor);
    if (!p) {
      p = this.guard.run(() => loadUserPrefs(this.db, this.userId(aor) ?? ''));
      this.byUser.set(aor, p);
      // A failed read is not cached: the next request tries again.
      p.catch(() => this.byUser.delete(aor));
    }
    return p;
  }

  invalidate(aor: string | null): void {
    if (aor === null) this.byUser.clear();
    else this.byUser.delete(aor);
  }
}
