// The one way the shell calls the engine: by procedure name, through the table replay uses too
// (engine/replay/procedures.ts). When recording is on, each call's inputs go to the recorder as
// one line of JSON, built during the call; compressing and writing happen later, off the request.
import { PROCEDURES, type EngineOutput, type ProcedureArgs, type ProcedureName, type ProcedureResult } from '../engine/replay/procedures';
import { beginCall, type Versioner } from '../engine/replay/tape';

export interface EngineCalls {
  call<K extends ProcedureName>(name: K, args: ProcedureArgs<K>): ProcedureResult<K>;
}

/** Where recorded lines go (the store's EngineRecorder): lines, and versions of large arguments. */
export interface RecordingSink {
  add(line: string, at: number): void;
  version: Versioner;
}

/** Calls without recording (tests, tools, PF_RECORD=off). */
export const directEngine: EngineCalls = {
  call: (name, args) => (PROCEDURES[name].run as (a: unknown) => never)(args),
};

/** Calls that hand every call's line to `sink`; `now` stamps calls whose arguments carry no time. */
// A call that cannot be recorded (its arguments do not serialise) still runs: the record is only
// a record, and `onError` says what was lost.
export function recordingEngine(sink: RecordingSink, now: () => number, onError: (e: unknown, procedure: string) => void = () => {}): EngineCalls {
  return {
    call: (name, args) => {
      const run = PROCEDURES[name].run as (a: unknown) => EngineOutput;
      const given = (args as { now?: unknown }).now;
      const at = typeof given === 'number' ? given : now();
      let rec: ReturnType<typeof beginCall>;
      try {
        rec = beginCall(name, args as object, at, sink.version);
      } catch (e) {
        onError(e, name);
        return run(args) as never;
      }
      const result = run(rec.args);
      try {
        sink.add(rec.finish(result), at);
      } catch (e) {
        onError(e, name);
      }
      return result as never;
    },
  };
}
