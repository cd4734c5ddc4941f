// Served users' CPM preferences (SPEC §11.6) kept in memory: every delivery consults them, and a
// database read per request was the largest single cost in the benchmark profile. A console edit
// calls pf.policyChanged(aor), which drops the user's entry, so the next request reads the new rules.
// An edit made through another instance's console (a cluster shares the database) reaches this one
// by a re-read: an entry older than refreshMs is read again in the background while the requests
// keep the value they have, so no request waits on the database for it (D-313).
import type { UserPrefs } from '../engine/model';
import type { Db } from '../store/database';
import { loadUserPrefs } from '../store/user-prefs';
import type { StorageGuard } from './storage-unavailable';

/** how soon an edit made on another instance applies here: as the peers' re-read (D-309) */
export const PREFS_REFRESH_MS = 5000;

interface Entry {
  value: Promise<UserPrefs>;
  readAt: number;
  refreshing: boolean;
}

export class PrefsCache {
  private readonly byUser = new Map<string, Entry>();

  constructor(
    private readonly db: Db,
    private readonly userId: (aor: string) => string | undefined,
    private readonly guard: StorageGuard,
    private readonly now: () => number = Date.now,
    private readonly refreshMs = PREFS_REFRESH_MS,
  ) {}

  get(aor: string): Promise<UserPrefs> {
    const e = this.byUser.get(aor);
    if (!e) return this.load(aor);
    if (!e.refreshing && this.now() - e.readAt >= this.refreshMs) this.refresh(aor, e);
    return e.value;
  }

  invalidate(aor: string | null): void {
    if (aor === null) this.byUser.clear();
    else this.byUser.delete(aor);
  }

  private read(aor: string): Promise<UserPrefs> {
    return this.guard.run(() => loadUserPrefs(this.db, this.userId(aor) ?? ''));
  }

  private load(aor: string): Promise<UserPrefs> {
    const entry: Entry = { value: this.read(aor), readAt: this.now(), refreshing: false };
    this.byUser.set(aor, entry);
    // A failed read is not cached: the next request tries again.
    entry.value.catch(() => {
      if (this.byUser.get(aor) === entry) this.byUser.delete(aor);
    });
    return entry.value;
  }

  private refresh(aor: string, e: Entry): void {
    e.refreshing = true;
    const started = this.now();
    this.read(aor).then(
      (value) => {
        // an invalidation (or a newer read) since this one started wins
        if (this.byUser.get(aor) === e) this.byUser.set(aor, { value: Promise.resolve(value), readAt: started, refreshing: false });
      },
      // the database is down: keep serving what was read, and try again refreshMs later
      () => {
        e.refreshing = false;
        e.readAt = this.now();
      },
    );
  }
}
