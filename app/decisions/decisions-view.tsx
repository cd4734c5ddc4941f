'use client';
import { useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useMemo, useState, type KeyboardEvent } from 'react';
import type { DecisionRecord } from '../../server/live/events';
import { LiveStatus } from '../_components/live-status';
import { PageHeader } from '../_components/page-header';
import { Pill } from '../_components/pill';
import { EmptyState } from '../_components/states';
import { VirtualList } from '../_components/virtual-list';
import { useDecisions } from '../_lib/use-decisions';
import { DecisionDetail } from './decision-detail';
import { DecisionFilterBar } from './decision-filters';
import { api } from '../_lib/api';
import { FILTER_KEYS, filterDecisions, isFiltered, mergeNewestFirst, NO_FILTERS, searchQuery, type DecisionFilters } from './filter-decisions';

const ROW = 34;
const SEARCH_LIMIT = 1000;
const decisionsWord = (n: number) => `${n} decision${n === 1 ? '' : 's'}`;

interface LogSearch {
  /** the filters it was made for: a change of filters makes it stale */
  key: string;
  decisions: DecisionRecord[];
  total: number;
}

function Header() {
  return (
    <div className="drow dhead" aria-hidden="true">
      <span>#</span>
      <span>Time</span>
      <span>User</span>
      <span>Message-ID</span>
      <span>Type</span>
      <span>Branch</span>
      <span>Outcome</span>
      <span>Why</span>
    </div>
  );
}

export function DecisionsView() {
  const params = useSearchParams();
  const { connected, decisions, loaded, connects } = useDecisions();
  const [filters, setFilters] = useState<DecisionFilters>(() => {
    const f = { ...NO_FILTERS };
    for (const k of FILTER_KEYS) f[k] = params.get(k) ?? '';
    return f;
  });
  const [selected, setSelected] = useState<number | null>(() => (params.get('seq') ? Number(params.get('seq')) : null));

  // Filters and the open decision live in the URL, so a view can be bookmarked or shared.
  useEffect(() => {
    const q = new URLSearchParams();
    for (const k of FILTER_KEYS) if (filters[k]) q.set(k, filters[k]);
    if (selected !== null) q.set('seq', String(selected));
    const s = q.toString();
    window.history.replaceState(null, '', s ? `?${s}` : window.location.pathname);
  }, [filters, selected]);

  // The live window holds the newest decisions only; older history is searched on the server.
  const filterKey = JSON.stringify(filters);
  const [search, setSearch] = useState<LogSearch | null>(null);
  const [searching, setSearching] = useState(false);
  const [searchError, setSearchError] = useState<string | null>(null);
  const logSearch = search?.key === filterKey ? search : null;
  const searchLog = async () => {
    setSearching(true);
    setSearchError(null);
    const r = await api<{ decisions: DecisionRecord[]; total: number }>('GET', `/api/decisions?${searchQuery(filters, SEARCH_LIMIT)}`);
    setSearching(false);
    if (r.ok) setSearch({ key: filterKey, ...r.data });
    else setSearchError(r.error);
  };
  const shown = useMemo(() => {
    const live = filterDecisions(decisions, filters);
    return logSearch ? mergeNewestFirst(live, logSearch.decisions) : live;
  }, [decisions, filters, logSearch]);
  const outcomes = useMemo(() => [...new Set(decisions.slice(0, 5000).map((d) => d.outcome))], [decisions]);
  const procedures = useMemo(() => [...new Set(decisions.slice(0, 5000).map((d) => d.procedure))], [decisions]);
  const selectedIndex = selected === null ? -1 : shown.findIndex((d) => d.seq === selected);
  const held: DecisionRecord | undefined = selected === null ? undefined : (shown[selectedIndex] ?? decisions.find((d) => d.seq === selected));
  // a bookmarked decision older than the live window is fetched by its seq
  const [linked, setLinked] = useState<DecisionRecord | null>(null);
  useEffect(() => {
    if (!loaded || selected === null || held || linked?.seq === selected) return;
    void api<{ decisions: DecisionRecord[] }>('GET', `/api/decisions?seq=${selected}&limit=1`).then((r) => {
      if (r.ok && r.data.decisions[0]) setLinked(r.data.decisions[0]);
    });
  }, [loaded, selected, held, linked]);
  const current: DecisionRecord | undefined = held ?? (linked && linked.seq === selected ? linked : undefined);

  const onKey = useCallback(
    (e: KeyboardEvent<HTMLDivElement>) => {
      if (e.key === 'Escape') return setSelected(null);
      if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
      e.preventDefault();
      const i = Math.min(shown.length - 1, Math.max(0, selectedIndex + (e.key === 'ArrowDown' ? 1 : -1)));
      if (shown[i]) setSelected(shown[i].seq);
    },
    [shown, selectedIndex],
  );

  return (
    <>
      <PageHeader
        title="IMDN decisions"
        sub={
          <>
            Every decision the PF made on disposition notifications (and the dispatch around them), with the spec branch that decided it. <LiveStatus connected={connected} connects={connects} />
          </>
        }
        actions={
          <span className="muted" data-testid="decision-count" data-total={decisions.length} data-shown={shown.length}>
            {!isFiltered(filters) ? decisionsWord(decisions.length) : logSearch ? `${decisionsWord(shown.length)} found in the whole log` : `${shown.length} of ${decisionsWord(decisions.length)}`}
          </span>
        }
      />
      <DecisionFilterBar value={filters} outcomes={outcomes} procedures={procedures} onChange={setFilters} />
      {isFiltered(filters) && loaded && (
        <p className="notice" data-testid="log-search">
          {logSearch ? (
            <>
              The whole log holds {logSearch.total} matching decision(s){logSearch.total > logSearch.decisions.length ? `; the newest ${logSearch.decisions.length} are listed` : ''}, with any that arrived since.
            </>
          ) : (
            <>
              Matches among the newest {decisions.length} decisions this page holds.{' '}
              <button type="button" className="btn" onClick={() => void searchLog()} disabled={searching} data-testid="search-log">
                {searching ? 'Searching…' : 'Search the whole log'}
              </button>{' '}
              <span className="muted">(the server matches a Message-ID exactly)</span>
            </>
          )}
          {searchError && <span className="error"> {searchError}</span>}
        </p>
      )}
      {loaded && decisions.length === 0 && !logSearch ? (
        <EmptyState title="No decisions yet.">Send a SIP MESSAGE carrying an IMDN to a served user; its decision appears here at once.</EmptyState>
      ) : shown.length === 0 && loaded ? (
        <EmptyState title="No decision matches these filters.">
          <button type="button" className="btn" onClick={() => setFilters(NO_FILTERS)}>
            Clear filters
          </button>
        </EmptyState>
      ) : (
        <div className={current ? 'split open' : 'split'}>
          <div onKeyDown={onKey}>
            <Header />
            <VirtualList
              items={shown}
              rowHeight={ROW}
              height="calc(100vh - 230px)"
              keyOf={(d) => d.seq}
              label="Decisions, newest first"
              testId="decisions"
              focusIndex={selectedIndex}
              renderRow={(d) => (
                <button
                  type="button"
                  className="drow"
                  data-testid="decision-row"
                  data-seq={d.seq}
                  data-branch={d.branch}
                  data-outcome={d.outcome}
                  aria-selected={d.seq === selected}
                  onClick={() => setSelected(d.seq === selected ? null : d.seq)}
                >
                  <span className="mono">{d.seq}</span>
                  <span className="mono">{d.at.slice(11, 23)}</span>
                  <span className="mono">{d.servedUser ?? '—'}</span>
                  <span className="mono" title={d.messageId ?? ''}>
                    {d.messageId ?? '—'}
                  </span>
                  <span>{d.disposition ?? '—'}</span>
                  <span className="mono">{d.branch}</span>
                  <span>
                    <Pill value={d.outcome} />
                  </span>
                  <span title={d.summary}>{d.summary}</span>
                </button>
              )}
            />
          </div>
          {current && <DecisionDetail d={current} onClose={() => setSelected(null)} />}
        </div>
      )}
    </>
  );
}
