// The live sessions by id, and by served user: each INVITE asks for its user's sessions, and a
// scan of every session in memory made that cost grow with the whole PF's load.
import type { CpmSession } from '../engine/model';

export class SessionTable extends Map<string, CpmSession> {
  private readonly byUser = new Map<string, Map<string, CpmSession>>();

  override set(id: string, s: CpmSession): this {
    const old = super.get(id);
    super.set(id, s);
    // Map's constructor calls set before this class's fields exist
    if (!this.byUser) return this;
    if (old && old.servedUser !== s.servedUser) {
      // never done by the PF (a session keeps its user); kept exact: the id keeps its place
      this.unindex(id, old.servedUser);
      this.byUser.set(s.servedUser, new Map([...super.entries()].filter(([, x]) => x.servedUser === s.servedUser)));
      return this;
    }
    let m = this.byUser.get(s.servedUser);
    if (!m) this.byUser.set(s.servedUser, (m = new Map()));
    m.set(id, s);
    return this;
  }

  override delete(id: string): boolean {
    const old = super.get(id);
    if (old) this.unindex(id, old.servedUser);
    return super.delete(id);
  }

  override clear(): void {
    this.byUser.clear();
    super.clear();
  }

  /** The served user's sessions, in the table's own order (as a scan of it would list them). */
  ofUser(servedUser: string): CpmSession[] {
    const m = this.byUser.get(servedUser);
    return m ? [...m.values()] : [];
  }

  private unindex(id: string, servedUser: string): void {
    const m = this.byUser.get(servedUser);
    if (!m) return;
    m.delete(id);
    if (m.size === 0) this.byUser.delete(servedUser);
  }
}
