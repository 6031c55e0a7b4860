import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { randomBytes } from 'node:crypto';

/** The signing key the mocked Secrets Manager returns. */
export const KEY = 'k'.repeat(16) + randomBytes(24).toString('hex');
export const BASE_URL = 'https://approvals.example.com';
export const TOPIC = 'arn:aws:sns:sa-east-1:111122223333:runbook-autopilot-approvals';

export type PageHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** An API Gateway HTTP API (payload 2.0) event for the page route, as a browser request arrives. */
export function pageEvent(method: string, link: string, options: { body?: string; cookie?: string; headers?: Record<string, string> } = {}): APIGatewayProxyEventV2 {
  const url = new URL(link);
  const requestId = decodeURIComponent(url.pathname.split('/').pop() ?? '');
  return {
    version: '2.0', routeKey: `${method} /approvals/{requestId}`, rawPath: url.pathname, rawQueryString: url.search.replace(/^\?/, ''),
    headers: { 'content-type': 'application/x-www-form-urlencoded', host: url.host, ...options.headers }, cookies: options.cookie ? [options.cookie] : [],
    pathParameters: { requestId }, isBase64Encoded: false, body: options.body,
    requestContext: { http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'test' } },
  } as unknown as APIGatewayProxyEventV2;
}

/** The hidden fields of the page's form, and the nonce cookie the page set. */
export function formOf(page: APIGatewayProxyStructuredResultV2): { fields: URLSearchParams; cookie: string } {
  const fields = new URLSearchParams();
  for (const m of String(page.body).matchAll(/<input type="hidden" name="([a-z]+)" value="([^"]*)">/g)) {
    fields.set(m[1]!, m[2]!.replace(/&#(\d+);/g, (_x, c: string) => String.fromCharCode(Number(c))));
  }
  const cookie = (page.cookies ?? [])[0]?.split(';')[0] ?? '';
  return { fields, cookie };
}

export function messageOf(page: APIGatewayProxyStructuredResultV2): string {
  const m = /<p id="message">([^<]*)<\/p>/.exec(String(page.body));
  return (m?.[1] ?? '').replace(/&#(\d+);/g, (_x, c: string) => String.fromCharCode(Number(c)));
}
