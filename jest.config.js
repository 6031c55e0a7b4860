/** @type {import('jest').Config} */
module.exports = {
  // Node's, closing at each file's end the drill ports it opened, and ending the worker by process.exit (test/support/environment.ts).
  testEnvironment: '<rootDir>/test/support/environment.ts',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // swc strips types only; npm test's static checks (scripts/checks.sh) are the type gate. @middy ships ESM only, so it is transformed too.
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  setupFiles: ['<rootDir>/test/support/quiet-output.ts'],
  // aws-sdk-client-mock-jest's matchers (toHaveReceivedCommand...) are imported by the files that use
  // them: loading it for every file cost about 70 ms of CPU each, in the 200 files that never do.
  // The drill processes the tests share (test/support/drill-service.ts), started at the first drill.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
  // Two files at a time on this 2-core machine: most drill-heavy files wait for the drill processes
  // while another file runs (one worker, Jest's default here, ran the files one after another).
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/support/slowest-files-reporter.js'],
};
