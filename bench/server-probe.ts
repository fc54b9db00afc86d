import { monitorEventLoopDelay } from "node:perf_hooks";

// Loaded into a server under test with `node --import tsx --import bench/server-probe.ts …` by the
// benchmark (never by the product): no product file changes. On SIGUSR2 it writes one line to stderr
// with the event-loop delay since the previous report and the memory figures, then resets the
// histogram. Cost: one native timer every 10 ms. Started without the benchmark, it is never loaded.

const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
let windowStart = Date.now();

process.on("SIGUSR2", () => {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect) collect();
  const memory = process.memoryUsage();
  const ms = (ns: number) => Math.round((ns / 1e6) * 100) / 100;
  const now = Date.now();
  const report = {
    // Wall-clock time of this report (same clock as the benchmark) and the span its histogram covers.
    at: now,
    windowMs: now - windowStart,
    samples: delay.count,
    eldP50Ms: delay.count > 0 ? ms(delay.percentile(50)) : 0,
    eldP99Ms: delay.count > 0 ? ms(delay.percentile(99)) : 0,
    eldMaxMs: delay.count > 0 ? ms(delay.max) : 0,
    heapUsed: memory.heapUsed,
    heapTotal: memory.heapTotal,
    external: memory.external,
    arrayBuffers: memory.arrayBuffers,
    rss: memory.rss,
  };
  delay.reset();
  windowStart = now;
  process.stderr.write(`BENCH_PROBE ${JSON.stringify(report)}\n`);
});
