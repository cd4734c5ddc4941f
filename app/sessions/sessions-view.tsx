'use client';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useEffect, useMemo, useState } from 'react';
import type { SessionSummary } from '../../server/live/events';
import { LiveStatus } from '../_components/live-status';
import { PageHeader } from '../_components/page-header';
import { Pill } from '../_components/pill';
import { EmptyState, ErrorState, Loading } from '../_components/states';
import { sessionPath, userPath } from '../_lib/api';
import { liveSocket } from '../_lib/live-socket';
import { useJson } from '../_lib/use-json';

const TYPES = ['ONE_TO_ONE', 'GROUP'];
const STATES = [
  ['', 'any'],
  ['LIVE', 'live (not released)'],
  ['ACTIVE', 'ACTIVE'],
  ['REMAIN_DISCONNECTED', 'REMAIN_DISCONNECTED'],
  ['RELEASED', 'RELEASED'],
];

export function SessionsView() {
  const params = useSearchParams();
  const [user, setUser] = useState(params.get('user') ?? '');
  const [type, setType] = useState(params.get('type') ?? '');
  const [state, setState] = useState(params.get('state') ?? '');
  const callId = params.get('callId') ?? '';
  const [debouncedUser, setDebouncedUser] = useState(user);
  useEffect(() => {
    const t = setTimeout(() => setDebouncedUser(user.trim()), 200);
    return () => clearTimeout(t);
  }, [user]);
  const q = new URLSearchParams();
  if (debouncedUser) q.set('user', debouncedUser);
  if (type) q.set('type', type);
  if (state) q.set('state', state);
  if (callId) q.set('callId', callId);
  const qs = q.toString();
  useEffect(() => window.history.replaceState(null, '', qs ? `?${qs}` : window.location.pathname), [qs]);
  const { data, error, reload } = useJson<{ sessions: SessionSummary[] }>(`/api/sessions${qs ? `?${qs}` : ''}`, { pollMs: 5000 });

  // live: join the sessions room, then refetch (the ack orders the two, so nothing between the
  // first load and the join is lost); a changed session replaces its row at once and refetches the
  // list for new rows and filters
  const [live, setLive] = useState<Record<string, SessionSummary>>({});
  const [watching, setWatching] = useState(false);
  useEffect(() => {
    const s = liveSocket();
    const watch = () =>
      s.emit('sessions:watch', () => {
        setWatching(true);
        reload();
      });
    const lost = () => setWatching(false);
    const onUpdate = (x: SessionSummary) => {
      setLive((m) => ({ ...m, [x.id]: x }));
      reload();
    };
    s.on('connect', watch);
    s.on('disconnect', lost);
    s.on('session:updated', onUpdate);
    if (s.connected) watch();
    return () => {
      s.emit('sessions:unwatch');
      s.off('connect', watch);
      s.off('disconnect', lost);
      s.off('session:updated', onUpdate);
    };
  }, [reload]);
  const rows = useMemo(() => (data?.sessions ?? []).map((x) => (live[x.id] && live[x.id].updatedAt > x.updatedAt ? live[x.id] : x)), [data, live]);

  return (
    <>
      <PageHeader
        title="Sessions"
        sub={
          <>
            CPM sessions the PF takes part in, with their legs toward clients, the Controlling Function, remote PFs and IWFs. <LiveStatus connected={watching} />
          </>
        }
      />
      <form className="toolbar" role="search" aria-label="Filter sessions" onSubmit={(e) => e.preventDefault()}>
        <label className="field">
          <span>User</span>
          <input value={user} onChange={(e) => setUser(e.target.value)} placeholder="alice" data-testid="session-filter-user" />
        </label>
        <label className="field">
          <span>Type</span>
          <select value={type} onChange={(e) => setType(e.target.value)} data-testid="session-filter-type">
            <option value="">any</option>
            {TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>State</span>
          <select value={state} onChange={(e) => setState(e.target.value)} data-testid="session-filter-state">
            {STATES.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </label>
        {callId && (
          <span className="notice">
            Sessions with a leg of Call-ID <code>{callId}</code> · <Link href="/sessions">show all</Link>
          </span>
        )}
      </form>
      {error && <ErrorState error={error} onRetry={reload} />}
      {!data && !error && <Loading what="sessions" />}
      {data && rows.length === 0 && (
        <EmptyState title={qs ? 'No session matches these filters.' : 'No session yet.'}>
          {callId ? 'No session owns this Call-ID: the request was a standalone one (pager mode).' : 'Sessions appear here when a served user’s client or the network sets one up (INVITE).'}
        </EmptyState>
      )}
      {rows.length > 0 && (
        <table data-testid="sessions">
          <thead>
            <tr>
              <th>Session</th>
              <th>User</th>
              <th>Type</th>
              <th>State</th>
              <th className="num">Legs (connected)</th>
              <th>Conversation-ID</th>
              <th>Last change</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((x) => (
              <tr key={x.id} data-testid="session-row" data-id={x.id} data-mode={x.mode}>
                <td className="mono">
                  <Link href={sessionPath(x.id)}>{x.id}</Link>
                </td>
                <td className="mono">
                  <Link href={userPath(x.servedUser)}>{x.servedUser}</Link>
                </td>
                <td>{x.type}</td>
                <td>
                  <Pill value={x.mode} />
                </td>
                <td className="num" data-testid="session-legs">
                  {x.legs} ({x.connectedLegs})
                </td>
                <td className="mono">{x.conversationId}</td>
                <td className="muted">{new Date(x.updatedAt).toLocaleTimeString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
