'use client';
// The live decision stream: the newest page first, then every new decision. After a reconnect it
// resumes from the last seq it holds of each PF instance (pages until the server says complete); decisions are keyed
// by seq, so a replay overlapping the live stream shows nothing twice.
import { useEffect, useState } from 'react';
import type { DecisionRecord } from '../../server/live/events';
import { liveSocket } from './live-socket';

export interface DecisionsView {
  connected: boolean;
  /** newest first */
  decisions: DecisionRecord[];
  /** the first page has arrived */
  loaded: boolean;
  /** how many times the socket (re)connected while this view was open */
  connects: number;
}

const KEEP = 20_000;
const FIRST_PAGE = 2000;
const PUBLISH_MS = 60;

export function useDecisions(): DecisionsView {
  const [connected, setConnected] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const [connects, setConnects] = useState(0);
  const [decisions, setDecisions] = useState<DecisionRecord[]>([]);

  useEffect(() => {
    const s = liveSocket();
    const seen = new Set<number>();
    let list: DecisionRecord[] = [];
    let pending: DecisionRecord[] = [];
    let lastSeq = 0;
    // the last id seen from each PF instance: with several instances, resume each exactly (D-230)
    const after: Record<string, number> = {};
    let firstLoad = true;
    let timer: ReturnType<typeof setTimeout> | undefined;

    // Renders at most every PUBLISH_MS: a burst of hundreds of decisions is one render.
    const publish = () => {
      timer = undefined;
      if (pending.length === 0) return;
      pending.sort((a, b) => b.seq - a.seq);
      list = list.length === 0 || pending[pending.length - 1].seq > list[0].seq ? pending.concat(list) : pending.concat(list).sort((a, b) => b.seq - a.seq);
      pending = [];
      if (list.length > KEEP) {
        for (const d of list.slice(KEEP)) seen.delete(d.seq);
        list = list.slice(0, KEEP);
      }
      setDecisions(list);
    };
    const add = (batch: DecisionRecord[]) => {
      for (const d of batch) {
        if (seen.has(d.seq)) continue;
        seen.add(d.seq);
        pending.push(d);
        if (d.seq > lastSeq) lastSeq = d.seq;
        if (d.instance !== undefined && d.seq > (after[d.instance] ?? 0)) after[d.instance] = d.seq;
      }
      timer ??= setTimeout(publish, PUBLISH_MS);
    };
    const resume = () => {
      setConnected(true);
      setConnects((n) => n + 1);
      s.emit('decisions:resume', firstLoad ? { afterSeq: 0, tail: true, limit: FIRST_PAGE } : { afterSeq: lastSeq, after });
      firstLoad = false;
    };
    const onReplay = ({ decisions: batch, complete }: { decisions: DecisionRecord[]; complete: boolean }) => {
      add(batch);
      setLoaded(true);
      // A replay page can be partial; ask again from its end until the server says it is complete.
      if (!complete) s.emit('decisions:resume', { afterSeq: lastSeq, after });
    };
    const onLive = (d: DecisionRecord) => add([d]);
    const onDown = () => setConnected(false);
    s.on('connect', resume);
    s.on('disconnect', onDown);
    s.on('decisions:replayed', onReplay);
    s.on('decision:made', onLive);
    if (s.connected) resume();
    return () => {
      if (timer) clearTimeout(timer);
      s.off('connect', resume);
      s.off('disconnect', onDown);
      s.off('decisions:replayed', onReplay);
      s.off('decision:made', onLive);
    };
  }, []);

  return { connected, decisions, loaded, connects };
}
