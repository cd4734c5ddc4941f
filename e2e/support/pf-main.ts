// The PF without the console, as a child process for tests that kill it (crash and fault tests).
// Prints "ready <sip port>" on stdout once it serves SIP.
import { loadConfig } from '../../server/config';
import { setLogLevel } from '../../server/log';
import { startPf } from '../../server/pf';

const config = loadConfig();
// quiet unless a test asks for a level (LOG_LEVEL)
setLogLevel(process.env.LOG_LEVEL ? config.logLevel : 'warn');
const pf = await startPf(config);
process.stdout.write(`ready ${pf.sipAddress.port}\n`);
const stop = () => void pf.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
