// Free loopback ports for tests that run beside other tests: from below the kernel's ephemeral
// range, shared between processes by lock files (scripts/free-ports.mjs says why).
export { freePort, freePorts } from '../../scripts/free-ports.mjs';
