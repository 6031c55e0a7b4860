/** What the user typed cannot be run: one line, exit code 2, nothing read. */
export class BacktestInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BacktestInputError';
  }
}

/** The account could not be read (credentials, region, AWS's answer) or held nothing to replay: one line, exit code 1. */
export class BacktestReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BacktestReadError';
  }
}

/** The command line itself is wrong (an unknown option, a missing value): the usage follows the line. */
export class BacktestUsageError extends BacktestInputError {
  constructor(message: string) {
    super(message);
    this.name = 'BacktestUsageError';
  }
}
