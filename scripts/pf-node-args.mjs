// The node arguments of the PF's process, for everything that starts one (`npm start`,
// `npm run cluster`, the bench's PF): the heap limit (PF_HEAP_MB, D-327) and V8's collector
// settings (D-330); and the environment glibc reads at the process's start (D-343). Read here, not
// in server/config.ts, because node and glibc take them before the process starts; V8 flags hold
// for every isolate of the process (main thread, edge thread, SQLite writer).
import { heapLimitArgs } from './heap-limit.mjs';

/**
 * V8's allocation-site pretenuring off (D-330). V8 watches where objects are allocated and, once
 * enough of a site's objects survive a young collection, allocates that site's objects in the old
 * generation directly. On the PF's request path that guess is wrong: a site that builds a cached
 * entry builds a request's short-lived objects too. Under IMDN load half of what reached the old
 * generation got there so, and died there: more full collections, and slower young ones.
 */
export const GC_ARGS = ['--no-allocation-site-pretenuring'];

/** node's arguments for the PF's process; throws heapLimitArgs's sentence for a bad PF_HEAP_MB */
export function pfNodeArgs(env) {
  return [...heapLimitArgs(env), ...GC_ARGS];
}

/**
 * glibc's malloc arenas for the PF's process (D-343): at most 2 unless the operator's environment
 * says otherwise. glibc gives each thread that allocates concurrently an arena of its own, up to
 * eight per core, and an arena keeps what it once held: the PF's threads (main, edge, SQLite
 * writer, V8's compiler and collector helpers, libuv's pool) held 100 MB of native memory in
 * arenas at idle, and 60–90 MB more RSS than with 2 in the bench's overload steps, with no
 * measured difference in CPU per MESSAGE.
 */
export const MALLOC_ARENAS = '2';

/** what the PF's process gets in its environment besides `env`: MALLOC_ARENA_MAX unless `env` sets it */
export function pfEnv(env) {
  const given = env.MALLOC_ARENA_MAX;
  return given !== undefined && given.trim() !== '' ? {} : { MALLOC_ARENA_MAX: MALLOC_ARENAS };
}
