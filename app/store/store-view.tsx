'use client';
import { useSearchParams } from 'next/navigation';
import { useEffect, useState } from 'react';
import type { DeferredView, FolderView } from '../../server/http/queries/message-store';
import type { UserListItem } from '../../server/http/queries/users';
import { PageHeader } from '../_components/page-header';
import { Pill } from '../_components/pill';
import { EmptyState, ErrorState, Loading } from '../_components/states';
import { useJson } from '../_lib/use-json';
import { FolderTree } from './folder-tree';

export function StoreView() {
  const params = useSearchParams();
  const messageId = params.get('messageId') ?? '';
  const users = useJson<{ users: UserListItem[] }>('/api/users');
  const [user, setUser] = useState(params.get('user') ?? '');
  useEffect(() => {
    if (!user && users.data?.users[0]) setUser(users.data.users[0].aor);
  }, [user, users.data]);
  useEffect(() => {
    if (!user) return;
    const q = new URLSearchParams({ user });
    if (messageId) q.set('messageId', messageId);
    window.history.replaceState(null, '', `?${q}`);
  }, [user, messageId]);
  const store = useJson<{ folders: FolderView[]; deferred: DeferredView[] }>(user ? `/api/store/${encodeURIComponent(user)}` : null, { pollMs: 3000 });
  const pending = store.data?.deferred.filter((d) => !d.deliveredAt) ?? [];

  return (
    <>
      <PageHeader title="Message store" sub="A user’s CPM Message Store (folders, objects, flags, Group State Objects) and the deferred delivery queue." />
      <form className="toolbar" onSubmit={(e) => e.preventDefault()}>
        <label className="field">
          <span>User</span>
          <select value={user} onChange={(e) => setUser(e.target.value)} data-testid="store-user">
            {users.data?.users.map((u) => (
              <option key={u.aor} value={u.aor}>
                {u.aor}
              </option>
            ))}
          </select>
        </label>
        {messageId && (
          <span className="notice">
            Looking for message <code>{messageId}</code>
          </span>
        )}
      </form>
      {(users.error || store.error) && <ErrorState error={users.error ?? store.error ?? ''} onRetry={store.reload} />}
      {!store.data && !store.error && <Loading what="the message store" />}
      {store.data && (
        <>
          <h2>
            Deferred queue <span className="muted">({pending.length} waiting)</span>
          </h2>
          {store.data.deferred.length === 0 ? (
            <EmptyState title="Nothing deferred." testId="deferred-empty">Items wait here while the user has no client that can take them.</EmptyState>
          ) : (
            <table data-testid="deferred">
              <thead>
                <tr>
                  <th>Kind</th>
                  <th>Message-ID</th>
                  <th>Content-Type</th>
                  <th>Queued</th>
                  <th>Expires</th>
                  <th>State</th>
                </tr>
              </thead>
              <tbody>
                {store.data.deferred.map((d) => (
                  <tr key={d.id} data-testid="deferred-row" data-message-id={d.messageId ?? ''} className={messageId && d.messageId === messageId ? 'highlight' : undefined}>
                    <td>{d.kind}</td>
                    <td className="mono">{d.messageId ?? '—'}</td>
                    <td className="mono">{d.contentType}</td>
                    <td className="muted">{new Date(d.createdAt).toLocaleString()}</td>
                    <td className="muted">{d.expiresAt ? new Date(d.expiresAt).toLocaleString() : 'never'}</td>
                    <td>
                      <Pill value={d.deliveredAt ? 'DELIVERED' : 'WAITING'} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2>Folders</h2>
          {store.data.folders.length === 0 ? (
            <EmptyState title="The Message Store is empty for this user." testId="store-empty">
              Objects are recorded when the user’s preferences allow storing (allow-store) or the provider records.
            </EmptyState>
          ) : (
            <FolderTree folders={store.data.folders} messageId={messageId} />
          )}
        </>
      )}
    </>
  );
}
