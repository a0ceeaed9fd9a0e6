/**
 * Issue 24: waits for a run's lanes. When one throws (a write that failed: a full disk), the others
 * are stopped as Ctrl-C stops them and waited for, then the first error is thrown: a turn they had
 * in flight is interrupted (not recorded, run again by --resume), never recorded as a call that
 * failed because the agent was closed under it, and nothing is written once the ending has begun.
 */
export async function settleLanes(lanes: Promise<unknown>[], stop: (reason: unknown) => void): Promise<void> {
  let first: { err: unknown } | undefined;
  await Promise.all(
    lanes.map((lane) =>
      lane.catch((err: unknown) => {
        if (first) return;
        first = { err };
        stop(err);
      }),
    ),
  );
  if (first) throw first.err;
}
