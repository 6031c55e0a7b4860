import type { IncomingHttpHeaders } from 'node:http';
import { AwsError, UnknownOperation } from './aws-error';
import { isRecord, type Input } from './input';
import type { DecodedCall, Output, ServiceModel, WireRequest, WireResponse } from './model';

/**
 * The wire formats of the modelled services: decode requests, encode answers and errors. EC2 Query
 * is AWS Query's form-encoded request with lists flattened (`InstanceId.1`, `Filter.1.Value.1`, no
 * `member`), answered without a `...Result` wrapper: `<OpResponse xmlns=...><requestId>` and the
 * members by their lowerCamel XML names, every list's members `<item>`; its errors are
 * `<Response><Errors><Error>...</Error></Errors><RequestID>`.
 */

const CONTENT_TYPE = {
  awsJson1_0: 'application/x-amz-json-1.0',
  awsJson1_1: 'application/x-amz-json-1.1',
  restJson1: 'application/json',
  awsQuery: 'text/xml',
  ec2Query: 'text/xml;charset=UTF-8',
  restXml: 'application/xml',
} as const;

/** The service a SigV4 request is signed for: the fourth part of the credential scope. */
export function signingService(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization ?? '';
  return /Credential=[^/,]+\/\d{8}\/[^/,]+\/([^/,]+)\/aws4_request/.exec(auth)?.[1];
}

export function decodeCall(model: ServiceModel, req: WireRequest): DecodedCall {
  if (model.codec) return model.codec.decode(req);
  switch (model.protocol) {
    case 'restXml':
      throw new UnknownOperation(`${req.method} ${req.path}`);
    case 'awsJson1_0':
    case 'awsJson1_1':
      return decodeJsonRpc(model, req);
    case 'restJson1':
      return decodeRestJson(model, req);
    case 'awsQuery':
      return decodeQuery(req);
    case 'ec2Query': {
      const call = decodeQuery(req);
      return { ...call, input: flattenedLists(call.input) as Input };
    }
  }
}

export function encodeOutput(
  model: ServiceModel,
  operation: string,
  output: Output | undefined,
  status: number,
  requestId: string,
): WireResponse {
  if (model.codec) return model.codec.encodeOutput(operation, output, status, requestId);
  const headers = { 'content-type': CONTENT_TYPE[model.protocol], 'x-amzn-requestid': requestId };
  if (model.protocol === 'awsQuery') {
    const ns = model.xmlNamespace ?? '';
    const body =
      `<${operation}Response xmlns="${ns}"><${operation}Result>${xmlMembers(output ?? {}, listMember(model))}</${operation}Result>` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`;
    return { status, headers, body };
  }
  if (model.protocol === 'ec2Query') {
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="${model.xmlNamespace ?? ''}"><requestId>${requestId}</requestId>` +
      `${xmlMembers(output ?? {}, () => 'item')}</${operation}Response>`;
    return { status, headers, body };
  }
  if (status === 204) return { status, headers: { 'x-amzn-requestid': requestId }, body: '' };
  return { status, headers, body: JSON.stringify(output ?? {}) };
}

export function encodeError(model: ServiceModel, error: AwsError, requestId: string): WireResponse {
  if (model.codec) return model.codec.encodeError(error, requestId);
  const headers: Record<string, string> = {
    'content-type': CONTENT_TYPE[model.protocol],
    'x-amzn-requestid': requestId,
    ...error.headers,
  };
  const fault = error.isServerFault ? 'Receiver' : 'Sender';
  switch (model.protocol) {
    case 'restXml':
    case 'awsQuery': {
      const body =
        `<ErrorResponse xmlns="${model.xmlNamespace ?? ''}"><Error><Type>${fault}</Type>` +
        `<Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(error.message)}</Message></Error>` +
        `<RequestId>${requestId}</RequestId></ErrorResponse>`;
      return { status: error.status, headers, body };
    }
    case 'ec2Query': {
      const body =
        `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${xmlEscape(error.code)}</Code>` +
        `<Message>${xmlEscape(error.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
      return { status: error.status, headers, body };
    }
    case 'restJson1': {
      headers['x-amzn-errortype'] = error.code;
      const body = { Type: error.isServerFault ? 'Service' : 'User', [error.messageField]: error.message, ...error.fields };
      return { status: error.status, headers, body: JSON.stringify(body) };
    }
    case 'awsJson1_0':
    case 'awsJson1_1': {
      headers['x-amzn-errortype'] = error.code;
      if (model.queryCompatible) headers['x-amzn-query-error'] = `${error.queryCode ?? error.code};${fault}`;
      const body = { __type: error.code, [error.messageField]: error.message, ...error.fields };
      return { status: error.status, headers, body: JSON.stringify(body) };
    }
  }
}

function decodeJsonRpc(model: ServiceModel, req: WireRequest): DecodedCall {
  const target = String(req.headers['x-amz-target'] ?? '');
  const [prefix, operation = ''] = target.split('.', 2);
  if (req.method !== 'POST' || prefix !== model.target) throw new UnknownOperation(target);
  return { operation, input: parseJsonBody(req.body), status: 200 };
}

function decodeRestJson(model: ServiceModel, req: WireRequest): DecodedCall {
  const segments = req.path.split('/');
  for (const route of model.routes ?? []) {
    if (route.method !== req.method) continue;
    const template = route.path.split('/');
    if (template.length !== segments.length) continue;
    const labels: Record<string, string> = {};
    const matches = template.every((part, i) => {
      const actual = segments[i] ?? '';
      const label = /^\{(\w+)\}$/.exec(part)?.[1];
      if (label === undefined) return part === actual;
      labels[label] = decodeURIComponent(actual);
      return actual !== '';
    });
    if (!matches) continue;
    const query = Object.fromEntries(req.query.entries());
    return { operation: route.operation, input: { ...query, ...parseJsonBody(req.body), ...labels }, status: route.status };
  }
  throw new UnknownOperation(`${req.method} ${req.path}`);
}

function decodeQuery(req: WireRequest): DecodedCall {
  const form = new URLSearchParams(req.body);
  const operation = form.get('Action') ?? '';
  const input: Record<string, unknown> = {};
  for (const [key, value] of form.entries()) {
    if (key === 'Action' || key === 'Version') continue;
    setPath(input, key.split('.'), value);
  }
  if (req.method !== 'POST' || operation === '') throw new UnknownOperation(operation);
  return { operation, input, status: 200 };
}

/** AWS Query flattens structures into dotted keys (MessageAttributes.entry.1.Name); rebuild them. */
function setPath(target: Record<string, unknown>, path: string[], value: string): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  const child = target[head];
  const next: Record<string, unknown> = isRecord(child) ? child : {};
  target[head] = next;
  setPath(next, rest, value);
}

/** EC2 Query flattens a list into numbered keys (`InstanceId.1`, `Filter.1.Value.2`): a structure whose keys are all numbers is that list, in its numbers' order. */
function flattenedLists(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const keys = Object.keys(value);
  if (keys.length > 0 && keys.every((k) => /^[1-9]\d*$/.test(k))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((k) => flattenedLists(value[k]));
  }
  return Object.fromEntries(keys.map((k) => [k, flattenedLists(value[k])]));
}

function parseJsonBody(body: string): Input {
  if (body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new AwsError('SerializationException', 400, 'Start of structure or map found where not expected.');
  }
  if (!isRecord(parsed)) throw new AwsError('SerializationException', 400, 'Start of list found where not expected');
  return parsed;
}

/** The element a list's members are written as: `member` unless the model names it (RDS, EC2). */
type ListMember = (list: string) => string;

function listMember(model: ServiceModel): ListMember {
  const named = model.xmlListMembers ?? {};
  return (list) => named[list] ?? named['*'] ?? 'member';
}

function xmlMembers(value: Record<string, unknown>, member: ListMember): string {
  return Object.entries(value)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `<${k}>${xmlValue(k, v, member)}</${k}>`)
    .join('');
}

function xmlValue(name: string, value: unknown, member: ListMember): string {
  if (Array.isArray(value)) {
    const element = member(name);
    return value.map((v) => `<${element}>${xmlValue(element, v, member)}</${element}>`).join('');
  }
  if (isRecord(value)) return xmlMembers(value, member);
  return xmlEscape(String(value));
}

export function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
