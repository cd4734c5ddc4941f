// A full garbage collection on demand, for tests that measure what a structure keeps alive.
// `--expose-gc` set at run time makes V8 install gc() only in contexts created afterwards, so
// the function is taken from a fresh vm context.
import v8 from 'node:v8';
import vm from 'node:vm';

let gc: (() => void) | undefined;

export function fullGc(): void {
  if (!gc) {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  }
  gc();
  gc();
}
