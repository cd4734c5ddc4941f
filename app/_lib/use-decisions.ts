'use client';
import { useEffect, useState } from 'react';
import type { DecisionRecord } from '../../server/live/events';
import { liveSocket } from './live-socket';

export interface DecisionsView {
  connected: boolean;
  /** newest first */
  decisions: DecisionRecord[];
}

const KEEP = 5000;

export function useDecisions(): DecisionsView {
  const [connected, setConnected] = useState(false);
  const [decisions, setDecisions] = useState<DecisionRecord[]>([]);

  useEffect(() => {
    const s = liveSocket();
    const bySeq = new Map<number, DecisionRecord>();
    let lastSeq = 0;
    const publish = () => setDecisions([...bySeq.values()].sort((a, b) => b.seq - a.seq).slice(0, KEEP));
    const add = (list: DecisionRecord[]) => {
      for (const d of list) {
        bySeq.set(d.seq, d);
        if (d.seq > lastSeq) lastSeq = d.seq;
      }
      publish();
    };
    const resume = () => {
      setConnected(true);
      // A replay page can be partial; ask again from its end until the server says it is complete.
      s.emit('decisions:resume', { afterSeq: lastSeq });
    };
    const onReplay = ({ decisions: list, complete }: { decisions: DecisionRecord[]; complete: boolean }) => {
      add(list);
      if (!complete) s.emit('decisions:resume', { afterSeq: list[list.length - 1]?.seq ?? lastSeq });
    };
    const onLive = (d: DecisionRecord) => add([d]);
    const onDown = () => setConnected(false);
    s.on('connect', resume);
    s.on('disconnect', onDown);
    s.on('decisions:replayed', onReplay);
    s.on('decision:made', onLive);
    if (s.connected) resume();
    return () => {
      s.off('connect', resume);
      s.off('disconnect', onDown);
      s.off('decisions:replayed', onReplay);
      s.off('decision:made', onLive);
    };
  }, []);

  return { connected, decisions };
}
