'use client';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { PageHeader } from '../_components/page-header';
import { EmptyState, ErrorState, Loading } from '../_components/states';
import { userPath } from '../_lib/api';
import { useJson } from '../_lib/use-json';
import type { UserListItem } from '../../server/http/queries/users';

export default function UsersPage() {
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  useEffect(() => {
    const t = setTimeout(() => setQuery(q.trim()), 200);
    return () => clearTimeout(t);
  }, [q]);
  const { data, error, reload } = useJson<{ users: UserListItem[] }>(`/api/users${query ? `?q=${encodeURIComponent(query)}` : ''}`, { pollMs: 3000 });
  return (
    <>
      <PageHeader title="Users" sub="The users this PF serves, their registered clients and their CPM preferences." />
      <form className="toolbar" role="search" onSubmit={(e) => e.preventDefault()}>
        <label className="field">
          <span>Search</span>
          <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="alice or sip:alice@…" data-testid="user-search" autoFocus />
        </label>
      </form>
      {error && <ErrorState error={error} onRetry={reload} />}
      {!data && !error && <Loading what="users" />}
      {data && data.users.length === 0 && (
        <EmptyState title={query ? `No served user matches “${query}”.` : 'No served users.'}>Users are provisioned with SEED_USERS at start.</EmptyState>
      )}
      {data && data.users.length > 0 && (
        <table data-testid="users">
          <thead>
            <tr>
              <th>Address of record</th>
              <th>Name</th>
              <th className="num">Registered clients</th>
              <th className="num">Preference rules</th>
              <th className="num">Live sessions</th>
              <th className="num">Deferred</th>
            </tr>
          </thead>
          <tbody>
            {data.users.map((u) => (
              <tr key={u.aor} data-testid="user-row" data-aor={u.aor}>
                <td className="mono">
                  <Link href={userPath(u.aor)}>{u.aor}</Link>
                </td>
                <td>{u.displayName ?? '—'}</td>
                <td className="num" data-testid="user-contacts">
                  {u.contacts}
                </td>
                <td className="num">{u.rules}</td>
                <td className="num">{u.activeSessions}</td>
                <td className="num">{u.deferred}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
