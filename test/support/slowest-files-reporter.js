// @ts-check
const path = require('node:path');

/**
 * Prints, after a run, the ten test files that took longest (their own time, from their first
 * test's setup to their last test's end) and the run's wall time: where the suite's minutes go.
 */
class SlowestFilesReporter {
  /** @param {import('@jest/reporters').Config.GlobalConfig} globalConfig */
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  /**
   * @param {unknown} _contexts
   * @param {import('@jest/reporters').AggregatedResult} results
   */
  onRunComplete(_contexts, results) {
    const files = results.testResults
      .map((r) => ({ file: path.relative(this.rootDir, r.testFilePath), seconds: (r.perfStats.end - r.perfStats.start) / 1000, tests: r.numPassingTests + r.numFailingTests + r.numPendingTests }))
      .sort((a, b) => b.seconds - a.seconds);
    if (files.length < 2) return;
    const wall = (Date.now() - results.startTime) / 1000;
    const sum = files.reduce((s, f) => s + f.seconds, 0);
    const lines = files.slice(0, 10).map((f) => `  ${f.seconds.toFixed(1).padStart(7)} s  ${String(f.tests).padStart(4)} tests  ${f.file}`);
    process.stderr.write(`\nSlowest test files (of ${files.length}; ${sum.toFixed(0)} s in files, ${wall.toFixed(0)} s wall):\n${lines.join('\n')}\n`);
  }
}

module.exports = SlowestFilesReporter;
