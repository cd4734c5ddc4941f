'use client';
import Link from 'next/link';
import { PageHeader } from './_components/page-header';
import { Pill } from './_components/pill';
import { Sparkline } from './_components/sparkline';
import { ErrorState, Loading } from './_components/states';
import { useEffect, useState } from 'react';
import { LiveStatus } from './_components/live-status';
import { liveSocket } from './_lib/live-socket';
import { useJson } from './_lib/use-json';
import type { Overview } from '../server/http/queries/overview';

function Card({ label, value, hint, testId, href }: { label: string; value: React.ReactNode; hint?: React.ReactNode; testId?: string; href?: string }) {
  const body = (
    <>
      <div className="label">{label}</div>
      <div className="value" data-testid={testId}>
        {value}
      </div>
      {hint && <div className="hint">{hint}</div>}
    </>
  );
  return <div className="card">{href ? <Link href={href} style={{ color: 'inherit' }}>{body}</Link> : body}</div>;
}

const EDGE_ROWS: Array<[string, string]> = [
  ['transactions', 'open transactions'],
  ['dialogs', 'dialogs'],
  ['tcpConnections', 'TCP connections'],
  ['apps', 'connected apps (srf)'],
  ['received', 'messages received'],
  ['sent', 'messages sent'],
  ['badRequests', 'answered 400 (malformed)'],
  ['dropped', 'dropped (unparseable)'],
  // the overload control's counts and refusals (D-150, D-345)
  ['appPending', 'requests waiting on the PF'],
  ['appWaiting', 'requests waiting on a next hop'],
  ['overloaded', 'refused 503 (overload)'],
];

export default function OverviewPage() {
  // first paint from the API, then once a second from the overview room (one computation on the
  // server for every open console)
  const { data: first, error, reload } = useJson<Overview>('/api/overview');
  const [live, setLive] = useState<Overview | null>(null);
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    const s = liveSocket();
    const watch = () => {
      setConnected(true);
      s.emit('overview:watch');
    };
    const lost = () => setConnected(false);
    s.on('connect', watch);
    s.on('disconnect', lost);
    s.on('overview:updated', setLive);
    if (s.connected) watch();
    return () => {
      s.emit('overview:unwatch');
      s.off('connect', watch);
      s.off('disconnect', lost);
      s.off('overview:updated', setLive);
    };
  }, []);
  const data = live ?? first;
  const rates = data ? Object.entries(data.decisions.perSecond) : [];
  const totals = data ? Object.entries(data.decisions.totals) : [];
  return (
    <>
      <PageHeader
        title="Overview"
        sub={
          <>
            {data ? (
              <>
                The Participating Function serving <b>{data.domain}</b>.
              </>
            ) : (
              'The Participating Function.'
            )}{' '}
            <LiveStatus connected={connected} />
          </>
        }
      />
      {error && <ErrorState error={error} onRetry={reload} />}
      {!data && !error && <Loading what="the PF's state" />}
      {data && (
        <>
          <div className="cards">
            <Card label="Registrations" value={data.registrations} hint={`${data.users} served users`} testId="registrations" href="/users" />
            <Card label="Active sessions" value={data.activeSessions} testId="active-sessions" href="/sessions" />
            <Card label="Connected legs" value={data.connectedLegs} testId="connected-legs" href="/sessions" />
            <Card label="Deferred queue" value={data.deferred} hint="items waiting for a client" testId="deferred" href="/store" />
            <Card
              label={`Decisions / s (last ${data.decisions.windowSec} s)`}
              value={<span data-testid="decision-rate">{rates.reduce((a, [, n]) => a + n, 0).toFixed(1)}</span>}
              hint={<Sparkline values={data.decisions.series} label="Decisions per second over the last minute" />}
              href="/decisions"
            />
          </div>
          <div className="grid-2" style={{ marginTop: 14 }}>
            <section className="panel" aria-labelledby="rates-h">
              <h2 id="rates-h" style={{ marginTop: 0 }}>
                Decisions by outcome
              </h2>
              {totals.length === 0 ? (
                <p className="muted">No decision since the PF started.</p>
              ) : (
                <table data-testid="outcome-table">
                  <thead>
                    <tr>
                      <th>Outcome</th>
                      <th className="num">per second</th>
                      <th className="num">since start</th>
                    </tr>
                  </thead>
                  <tbody>
                    {totals.map(([o, n]) => (
                      <tr key={o} data-testid="outcome-row" data-outcome={o}>
                        <td>
                          <Pill value={o} />
                        </td>
                        <td className="num">{(data.decisions.perSecond[o] ?? 0).toFixed(1)}</td>
                        <td className="num" data-testid="outcome-total">
                          {n}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
            <section className="panel" aria-labelledby="edge-h" data-testid="edge-health">
              <h2 id="edge-h" style={{ marginTop: 0 }}>
                SIP edge <Pill value={data.sip.edge ? 'ok' : 'external'} />
              </h2>
              <p className="mono">
                {data.sip.host}:{data.sip.port} <span className="muted">({data.sip.transports.join(', ')})</span>
              </p>
              {data.sip.edge ? (
                <dl className="kv">
                  {EDGE_ROWS.map(([k, label]) => (
                    <div className="kv-row" key={k}>
                      <dt>{label}</dt>
                      <dd data-testid={`edge-${k}`}>{data.sip.edge?.[k] ?? '—'}</dd>
                    </div>
                  ))}
                </dl>
              ) : (
                <p className="muted">An external drachtio-server carries SIP; its statistics are not visible here.</p>
              )}
            </section>
            <section className="panel" aria-labelledby="db-h" data-testid="db-health">
              <h2 id="db-h" style={{ marginTop: 0 }}>
                Database <Pill value={data.database.ok ? 'ok' : 'error'} />
              </h2>
              <dl className="kv">
                <div className="kv-row">
                  <dt>provider</dt>
                  <dd>{data.database.provider}</dd>
                </div>
                <div className="kv-row">
                  <dt>answered in</dt>
                  <dd>{data.database.latencyMs !== null ? `${data.database.latencyMs} ms` : '—'}</dd>
                </div>
                <div className="kv-row">
                  <dt>last decision id</dt>
                  <dd>{data.decisions.lastSeq ?? '—'}</dd>
                </div>
                {data.database.error && (
                  <div className="kv-row">
                    <dt>error</dt>
                    <dd className="tone-bad">{data.database.error}</dd>
                  </div>
                )}
              </dl>
            </section>
          </div>
        </>
      )}
    </>
  );
}
