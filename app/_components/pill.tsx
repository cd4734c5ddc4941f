// A coloured word for an outcome, a state or a kind; the colour follows the word's meaning.
const TONE: Record<string, string> = {
  FORWARD: 'ok', DELIVER: 'ok', STORE: 'info', DEFER: 'info', DROP: 'warn', REJECT: 'bad', RELEASE: 'warn',
  CONNECTED: 'ok', ACTIVE: 'ok', TERMINATING: 'warn', TERMINATED: 'muted', RELEASED: 'muted', REMAIN_DISCONNECTED: 'info',
  ok: 'ok', error: 'bad', DELIVERED: 'ok', WAITING: 'info', connected: 'ok', disconnected: 'muted',
};

export function Pill({ value, testId }: { value: string; testId?: string }) {
  return (
    <span className={`pill tone-${TONE[value] ?? 'muted'}`} data-testid={testId}>
      {value}
    </span>
  );
}
