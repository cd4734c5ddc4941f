'use client';
// A SIP ladder across the session's legs with the engine's decisions interleaved on the PF lane.
import type { LegView } from '../../../server/live/events';
import type { Lane, Step } from './ladder-model';

const LANE_W = 190;
const ROW_H = 30;
const TOP = 52;

export function Ladder({ lanes, steps, legs, onPick }: { lanes: Lane[]; steps: Step[]; legs: LegView[]; onPick: (s: Step) => void }) {
  const width = lanes.length * LANE_W;
  const height = TOP + Math.max(1, steps.length) * ROW_H + 20;
  const x = (i: number) => i * LANE_W + LANE_W / 2;
  const released = new Set(legs.filter((l) => l.state === 'TERMINATED').map((l) => l.id));
  return (
    <div className="ladder" data-testid="ladder">
      <svg width={width} height={height} role="img" aria-label={`Ladder diagram: ${steps.length} steps across ${lanes.length} lanes`}>
        {lanes.map((l, i) => (
          <g key={l.id} data-testid="ladder-lane" data-lane={l.label}>
            <text x={x(i)} y={18} textAnchor="middle" className="lane-label">
              {l.label}
              {released.has(l.id) ? ' (released)' : ''}
            </text>
            <text x={x(i)} y={34} textAnchor="middle" className="t">
              {l.sub.length > 26 ? `${l.sub.slice(0, 25)}…` : l.sub}
            </text>
            <line x1={x(i)} x2={x(i)} y1={TOP - 8} y2={height - 6} className="lane" strokeDasharray={released.has(l.id) ? '4 4' : undefined} />
          </g>
        ))}
        {steps.map((s, i) => {
          const y = TOP + i * ROW_H + ROW_H / 2;
          if (s.kind === 'decision') {
            const cx = x(s.lane);
            return (
              <g key={s.key}>
                <text x={4} y={y + 4} className="t">
                  {s.at.slice(11, 23)}
                </text>
                <g data-testid="ladder-decision" data-branch={s.d.branch} onClick={() => onPick(s)} style={{ cursor: 'pointer' }}>
                  <title>{s.d.summary}</title>
                  <rect x={cx - 88} y={y - 11} width={176} height={22} rx={5} className="decision-box" />
                  <text x={cx} y={y + 4} textAnchor="middle">
                    {s.label.length > 26 ? `${s.label.slice(0, 25)}…` : s.label}
                  </text>
                </g>
              </g>
            );
          }
          const x1 = x(s.from);
          const x2 = x(s.to);
          const dir = x2 > x1 ? 1 : -1;
          return (
            <g key={s.key} data-testid="ladder-message" data-method={s.m.method} data-status={s.m.status ?? ''} onClick={() => onPick(s)} style={{ cursor: 'pointer' }}>
              <title>{`${s.m.firstLine}${s.m.reason ? `\nReason: ${s.m.reason}` : ''}`}</title>
              <line x1={x1} x2={x2 - dir * 6} y1={y + 6} y2={y + 6} className={s.response ? 'arrow response' : 'arrow'} strokeWidth={1.5} />
              <polygon points={`${x2},${y + 6} ${x2 - dir * 8},${y + 2} ${x2 - dir * 8},${y + 10}`} fill="currentColor" className={s.response ? 'tone-ok' : 'tone-info'} />
              <text x={(x1 + x2) / 2} y={y} textAnchor="middle">
                {s.label}
              </text>
              <text x={4} y={y + 4} className="t">
                {s.at.slice(11, 23)}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
