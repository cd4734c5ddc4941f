// The one way the shell calls the engine: by procedure name, through the table replay uses too
// (engine/replay/procedures.ts). When recording is on, each call's inputs go to the recorder as
// one line of JSON, built during the call; compressing and writing happen later, off the request.
import { PROCEDURES, type EngineOutput, type ProcedureArgs, type ProcedureName, type ProcedureResult } from '../engine/replay/procedures';
import { beginCall, type Versioner } from '../engine/replay/tape';
import { sourceTextOf } from './message-view';

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

// A call that cannot be recorded (its arguments do not serialise) still runs: the record is only
// a record, and `onError` says what was lost.
/** Calls that hand every call's line to `sink`; `now` stamps calls whose arguments carry no time. */
export function recordingEngine(sink: RecordingSink, now: () => number, onError: (e: unknown, procedure: string) => void = () => {}): EngineCalls {
  return {
    call: (name, args) => {
      const spec = PROCEDURES[name] as { run: (a: unknown) => EngineOutput; quietWhenEmpty?: boolean };
      const run = spec.run;
      if (spec.quietWhenEmpty) {
        // a pure function of its arguments with no lookups: run first, record only what it decided
        const result = run(args);
        if (result.decisions.length === 0 && !result.effects?.length) return result as never;
      }
      const given = (args as { now?: unknown }).now;
      const at = typeof given === 'number' ? given : now();
      let rec: ReturnType<typeof beginCall>;
      try {
        rec = beginCall(name, args as object, at, sink.version, sourceTextOf);
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
