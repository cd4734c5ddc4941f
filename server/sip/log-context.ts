// The first middleware of every SIP request: binds the request's Call-ID and its served user to
// every log line written while it is handled (server/log.ts, D-224), and logs the request at
// debug level. The served user is a first guess here (the sender when the PF serves it, else the
// addressee); a handler that decides otherwise (a served user's MESSAGE from a source that is not
// one of its clients is terminating) corrects it with bindLogUser.
import { withLogContext, type Logger } from '../log';
import { aorOf, parseNameAddr } from './addresses';
import type { Handler } from './srf-types';

function aorOfHeader(value: string | undefined): string | undefined {
  const na = value ? parseNameAddr(value) : undefined;
  return na ? aorOf(na.uri) : undefined;
}

export function sipLogContext(opts: { isServed: (aor: string) => boolean; log: Logger }): Handler {
  return (req, _res, next) => {
    const from = aorOfHeader(req.get('From'));
    const target = aorOf(req.uri) ?? aorOfHeader(req.get('To'));
    const user = from && opts.isServed(from) ? from : target && opts.isServed(target) ? target : undefined;
    withLogContext({ callId: req.get('Call-ID'), user }, () => {
      opts.log.debug(`${req.method} ${req.uri} from ${req.protocol}/${req.source_address}:${req.source_port}`);
      next();
    });
  };
}
