// What the PF has started, closed in the reverse order of starting. A start that fails half way
// and the stop close the same things the same way (D-299, D-325, D-329): each part is added as
// soon as it runs, so nothing started can be missed, and the order follows from what needs what
// (the writer thread after the recorder and the decision log that write through it, the database
// last).
export class Teardown {
  private readonly parts: Array<{ what: string; close: () => unknown }> = [];

  /** `close` ends `what`, which has just started */
  add(what: string, close: () => unknown): void {
    this.parts.push({ what, close });
  }

  /**
   * Closes every part, newest first. One that fails does not keep the others running: each failure
   * goes to `failed`, and the first is thrown once all are closed when `failed` is not given.
   */
  async run(failed?: (what: string, e: unknown) => void): Promise<void> {
    let first: { e: unknown } | undefined;
    for (let part = this.parts.pop(); part; part = this.parts.pop()) {
      try {
        await part.close();
      } catch (e) {
        if (failed) failed(part.what, e);
        else first ??= { e };
      }
    }
    if (first) throw first.e;
  }
}
