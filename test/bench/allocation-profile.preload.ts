import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

/**
 * Loaded into a benchmarked process with `--require` (BENCH_ALLOCATION_PROFILE=dir): V8's
 * sampling heap profiler over the process's life, counting what is collected too. Node's own
 * `--heap-prof` keeps only what survives, which says nothing of garbage, the projector's main
 * cost. At the first SIGTERM (the run is over; Nest then shuts down and raises the signal again,
 * which ends the process without an exit event) or at exit, the profile is written to the
 * directory as a `.heapprofile` (Chrome DevTools reads it). An in-thread inspector session
 * answers synchronously, so a signal or exit handler can.
 */
const directory = process.env.BENCH_ALLOCATION_PROFILE;
if (directory) {
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.startSampling', {
    samplingInterval: 64 * 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (error) return;
      writeFileSync(
        path.join(directory, `allocation-${process.pid}.heapprofile`),
        JSON.stringify(result.profile),
      );
    });
  };
  process.once('SIGTERM', write);
  process.on('exit', write);
}
