'use client';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { DecisionRecord, LegView, SessionSummary, SipMessageRecord } from '../../../server/live/events';
import type { ParticipantView, SessionDetail } from '../../../server/http/queries/sessions';
import { KeyValues } from '../../_components/key-values';
import { LiveStatus } from '../../_components/live-status';
import { PageHeader } from '../../_components/page-header';
import { Pill } from '../../_components/pill';
import { EmptyState, ErrorState, Loading } from '../../_components/states';
import { decodeSegment, userPath } from '../../_lib/api';
import { liveSocket } from '../../_lib/live-socket';
import { useJson } from '../../_lib/use-json';
import { DownloadPcap } from './download-pcap';
import { Ladder } from './ladder';
import { TimeTravel } from './time-travel';
import { laterLeg } from './leg-order';
import { lanesOf, stepsOf, type Step } from './ladder-model';

interface Payload {
  session: SessionDetail;
  messages: SipMessageRecord[];
  decisions: DecisionRecord[];
}

function Participants({ list, version }: { list: ParticipantView[]; version: number | null }) {
  if (list.length === 0) return <EmptyState title="No participant information.">A roster arrives with conference-info NOTIFYs (group sessions).</EmptyState>;
  return (
    <table data-testid="participants">
      <thead>
        <tr>
          <th>Participant</th>
          <th>Name</th>
          <th>State</th>
          <th>Endpoints</th>
        </tr>
      </thead>
      <tbody>
        {list.map((p) => (
          <tr key={p.entity} data-testid="participant-row">
            <td className="mono">{p.entity}</td>
            <td>{p.displayText ?? '—'}</td>
            <td>{p.state}</td>
            <td>
              {p.endpoints.map((e) => (
                <div key={e.entity}>
                  <span className="mono">{e.entity}</span> <Pill value={e.status} />
                  {e.disconnectionMethod && <span className="muted"> ({e.disconnectionMethod})</span>}
                </div>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
      {version !== null && (
        <caption className="muted" style={{ captionSide: 'bottom', textAlign: 'left', padding: 6 }}>
          roster version {version}
        </caption>
      )}
    </table>
  );
}

export default function SessionPage() {
  const id = decodeSegment(useParams().id);
  const { data, error, status, reload } = useJson<Payload>(`/api/sessions/${encodeURIComponent(id)}`);
  const [legs, setLegs] = useState<Record<string, LegView>>({});
  const [summary, setSummary] = useState<SessionSummary | null>(null);
  const [messages, setMessages] = useState<Record<number, SipMessageRecord>>({});
  const [decisions, setDecisions] = useState<Record<number, DecisionRecord>>({});
  const [picked, setPicked] = useState<Step | null>(null);

  // a snapshot never takes a leg back: a live event may be newer than a snapshot that crossed it
  useEffect(() => {
    if (!data) return;
    setLegs((held) => Object.fromEntries(data.session.legsList.map((l) => [l.id, laterLeg(held[l.id], l)])));
    setMessages((held) => ({ ...held, ...Object.fromEntries(data.messages.map((m) => [m.seq, m])) }));
    setDecisions((held) => ({ ...held, ...Object.fromEntries(data.decisions.map((d) => [d.seq, d])) }));
    lastSeq.current = Math.max(lastSeq.current, data.decisions[data.decisions.length - 1]?.seq ?? 0);
    for (const d of data.decisions) if (d.instance !== undefined && d.seq > (lastByInstance.current[d.instance] ?? 0)) lastByInstance.current[d.instance] = d.seq;
  }, [data]);

  // live: legs, SIP messages and the session summary from the session's room; decisions from the
  // decision stream, resumed after the newest one the page holds. Join first, refetch on the ack:
  // whatever happened before the join is in the refetched snapshot, whatever after in the room.
  const callIds = useMemo(() => new Set(Object.values(legs).map((l) => l.callId)), [legs]);
  const callIdsRef = useRef(callIds);
  callIdsRef.current = callIds;
  const lastSeq = useRef(0);
  const lastByInstance = useRef<Record<string, number>>({});
  const [watching, setWatching] = useState(false);
  const ready = data !== null;
  useEffect(() => {
    if (!ready) return;
    const s = liveSocket();
    const join = () => {
      s.emit('session:watch', { id }, () => {
        setWatching(true);
        reload();
      });
      s.emit('decisions:resume', { afterSeq: lastSeq.current, after: lastByInstance.current });
    };
    const lost = () => setWatching(false);
    const onLeg = (l: LegView) => l.sessionId === id && setLegs((m) => ({ ...m, [l.id]: laterLeg(m[l.id], l) }));
    const onSummary = (x: SessionSummary) => x.id === id && setSummary((held) => (held && held.updatedAt > x.updatedAt ? held : x));
    const onSip = (m: SipMessageRecord) => setMessages((all) => ({ ...all, [m.seq]: m }));
    const take = (d: DecisionRecord) => {
      if (d.seq > lastSeq.current) lastSeq.current = d.seq;
      if (d.instance !== undefined && d.seq > (lastByInstance.current[d.instance] ?? 0)) lastByInstance.current[d.instance] = d.seq;
      if (d.sessionId === id || (d.callId && callIdsRef.current.has(d.callId))) setDecisions((all) => ({ ...all, [d.seq]: d }));
    };
    const onReplay = ({ decisions: list, complete }: { decisions: DecisionRecord[]; complete: boolean }) => {
      list.forEach(take);
      if (!complete) s.emit('decisions:resume', { afterSeq: lastSeq.current, after: lastByInstance.current });
    };
    s.on('connect', join);
    s.on('disconnect', lost);
    s.on('leg:updated', onLeg);
    s.on('session:updated', onSummary);
    s.on('sip:message', onSip);
    s.on('decision:made', take);
    s.on('decisions:replayed', onReplay);
    if (s.connected) join();
    return () => {
      s.emit('session:unwatch', { id });
      s.off('connect', join);
      s.off('disconnect', lost);
      s.off('leg:updated', onLeg);
      s.off('session:updated', onSummary);
      s.off('sip:message', onSip);
      s.off('decision:made', take);
      s.off('decisions:replayed', onReplay);
    };
  }, [id, ready, reload]);

  const legList = useMemo(() => Object.values(legs).sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1)), [legs]);
  const lanes = useMemo(() => lanesOf(legList), [legList]);
  const steps = useMemo(
    () => stepsOf(lanes, legList, Object.values(messages), Object.values(decisions)),
    [lanes, legList, messages, decisions],
  );

  if (error && status === 404) return <EmptyState title={`No session ${id}.`}><Link href="/sessions">All sessions</Link></EmptyState>;
  const s = data ? (summary && summary.updatedAt >= data.session.updatedAt ? { ...data.session, ...summary } : data.session) : null;
  return (
    <>
      <PageHeader
        title={<>Session <span className="mono">{id}</span></>}
        actions={<DownloadPcap id={id} />}
        sub={
          s && (
            <>
              {s.type} for <Link href={userPath(s.servedUser)}>{s.servedUser}</Link> · <Pill value={s.mode} testId="session-mode" /> · Conversation-ID <code>{s.conversationId}</code>
              {s.groupSessionIdentity && (
                <>
                  {' '}
                  · conference <code>{s.groupSessionIdentity}</code>
                </>
              )}{' '}
              <LiveStatus connected={watching} />
            </>
          )
        }
      />
      {error && <ErrorState error={error} onRetry={reload} />}
      {!data && !error && <Loading what="the session" />}
      {data && (
        <>
          <h2>Legs</h2>
          <table data-testid="legs">
            <thead>
              <tr>
                <th>Kind</th>
                <th>Device</th>
                <th>Call-ID</th>
                <th>State</th>
                <th>Release reason</th>
                <th>Released</th>
              </tr>
            </thead>
            <tbody>
              {legList.map((l) => (
                <tr key={l.id} data-testid="leg-row" data-leg={l.id} data-state={l.state}>
                  <td>{l.kind}</td>
                  <td className="mono wrap">{l.device ?? '—'}</td>
                  <td className="mono" data-testid="leg-call-id">{l.callId}</td>
                  <td>
                    <Pill value={l.state} />
                  </td>
                  <td data-testid="leg-reason">
                    {l.reason ? (
                      <>
                        <b>{l.reason.meaning}</b>
                        {l.reason.text && <> · “{l.reason.text}”</>}
                        <div className="muted mono wrap">{l.reason.raw}</div>
                      </>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td className="muted">{l.releasedAt ? new Date(l.releasedAt).toLocaleTimeString() : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Participants</h2>
          <Participants list={data.session.participants} version={data.session.rosterVersion} />
          <TimeTravel sessionId={data.session.id} />
          <h2>Ladder: SIP messages and decisions</h2>
          {steps.length === 0 ? (
            <EmptyState title="Nothing recorded on this session’s legs yet.">SIP messages appear as the shell reports them; decisions on the legs’ Call-IDs appear as they are made.</EmptyState>
          ) : (
            <div className={picked ? 'split open' : 'split'}>
              <Ladder lanes={lanes} steps={steps} legs={legList} onPick={setPicked} />
              {picked && (
                <aside className="detail" data-testid="ladder-detail">
                  <div className="page-header" style={{ marginBottom: 6 }}>
                    <h2>{picked.kind === 'decision' ? `Decision #${picked.d.seq}` : picked.m.firstLine}</h2>
                    <button type="button" className="btn small" onClick={() => setPicked(null)}>
                      Close
                    </button>
                  </div>
                  {picked.kind === 'decision' ? (
                    <>
                      <p>
                        <code>{picked.d.branch}</code> <Pill value={picked.d.outcome} />
                      </p>
                      <p>{picked.d.summary}</p>
                      <KeyValues value={picked.d.inputs} />
                      <p>
                        <Link href={`/decisions?seq=${picked.d.seq}`}>Open in decisions</Link>
                      </p>
                    </>
                  ) : (
                    <KeyValues value={{ direction: picked.m.direction, peer: picked.m.peer, callId: picked.m.callId, cseq: picked.m.cseq, reason: picked.m.reason ?? null, at: picked.m.at }} />
                  )}
                </aside>
              )}
            </div>
          )}
        </>
      )}
    </>
  );
}
