/** An error the sandbox answers with; the protocol layer gives it the service's wire shape. */
export class AwsError extends Error {
  /** Error shape name (JSON protocols) or error code (AWS Query). */
  readonly code: string;
  readonly status: number;
  /** Query-compatible JSON services (CloudWatch) also send the Query error code. */
  readonly queryCode: string | undefined;
  /** The member carrying the message in this shape: most say `message`, some `Message`. */
  readonly messageField: 'message' | 'Message';
  /** Further members of the error shape (Lambda's Reason, ...). */
  readonly fields: Readonly<Record<string, string | number>>;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: string,
    status: number,
    message: string,
    options: {
      queryCode?: string;
      messageField?: 'message' | 'Message';
      fields?: Record<string, string | number>;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
    this.name = 'AwsError';
    this.code = code;
    this.status = status;
    this.queryCode = options.queryCode;
    this.messageField = options.messageField ?? 'message';
    this.fields = options.fields ?? {};
    this.headers = options.headers ?? {};
  }

  get isServerFault(): boolean {
    return this.status >= 500;
  }
}

/**
 * The validation error AWS's JSON services send when a request breaks the API model
 * ("1 validation error detected: ...").
 */
export function validationError(member: string, constraint: string, value: unknown = null): AwsError {
  const shown = value === null || value === undefined ? 'null' : `'${String(value)}'`;
  return new AwsError(
    'ValidationException',
    400,
    `1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

/**
 * A request no operation of the model matches (an unknown X-Amz-Target, Action or route): the
 * server answers it with the service's own error for that (its `unknown-operation` row in fault-table.ts).
 */
export class UnknownOperation extends Error {
  constructor(readonly operation: string) {
    super(`Unknown operation ${operation}`);
    this.name = 'UnknownOperation';
  }
}
