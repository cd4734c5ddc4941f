export function LiveStatus({ connected, connects }: { connected: boolean; connects?: number }) {
  return (
    <span className="status" data-testid="live-status" role="status" data-connects={connects} title={connects && connects > 1 ? `reconnected ${connects - 1} time(s), resumed without a gap` : undefined}>
      <span className={connected ? 'dot on' : 'dot'} aria-hidden="true" /> {connected ? 'live' : 'reconnecting…'}
    </span>
  );
}
