// The closing line CI reads, written from jest's results in memory. Jest's own --json writer
// serialises every failure's diff, and a BigInt in one (an event-store revision, say) made it
// throw, so a failing run never printed its closing line.
class ClosingLineReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const lines = [
      `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped`,
    ];
    if (results.numRuntimeErrorTestSuites > 0)
      lines.push(`suites that failed to run: ${results.numRuntimeErrorTestSuites}`);
    // A skipped suite names why in its title: say it where nobody can miss it.
    const why = new Set();
    for (const file of results.testResults)
      for (const test of file.testResults)
        if (test.status === 'pending' && test.ancestorTitles[0]) why.add(test.ancestorTitles[0]);
    for (const title of why) lines.push(`skipped: ${title}`);
    // Jest's summary reporter always runs after the custom ones: print once it has.
    setImmediate(() => process.stdout.write(`${lines.join('\n')}\n`));
  }
}

module.exports = ClosingLineReporter;
