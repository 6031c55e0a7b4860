import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { messagePage } from '../lambdas/approval/page-html';
import { lambdaContext, type DrillFunction } from './handlers';
import { ownPort, type Listen } from './sandbox/listen';

/**
 * The approval pages on a local port, as API Gateway (HTTP API, payload 2.0) hands them to the page
 * function: `ANY /approvals/{requestId}`. The drill's approvers and a person with a browser both
 * use it; the page function is the real handler.
 */
export interface ApprovalPages {
  readonly url: string;
  /** Set once the page function is loaded (it needs this server's URL first). */
  setFunction(fn: DrillFunction): void;
  close(): Promise<void>;
}

const ROUTE = /^\/approvals\/([^/]+)$/;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startApprovalPages(listen: Listen = ownPort()): Promise<ApprovalPages> {
  let fn: DrillFunction | undefined;
  const listening = await listen((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://pages');
      const match = ROUTE.exec(url.pathname);
      if (!match || !fn) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
        return;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const cookies = (headers.cookie ?? '').split(';').map((c) => c.trim()).filter(Boolean);
      delete headers.cookie;
      const method = req.method ?? 'GET';
      let requestId: string;
      try {
        requestId = decodeURIComponent(match[1]!);
      } catch {
        // As API Gateway does: a path that is not valid percent-encoding is a bad request, not a failure.
        res.writeHead(400, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
          .end(method === 'HEAD' ? undefined : messagePage('Bad request', 'This address is not valid (malformed percent-encoding). Nothing was changed.'));
        return;
      }
      const event = {
        version: '2.0', routeKey: 'ANY /approvals/{requestId}', rawPath: url.pathname, rawQueryString: url.search.replace(/^\?/, ''),
        headers, cookies, pathParameters: { requestId }, isBase64Encoded: false,
        body: method === 'POST' ? await readBody(req) : undefined,
        requestContext: { http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '', userAgent: headers['user-agent'] ?? '' } },
      } as unknown as APIGatewayProxyEventV2;
      const out = (await fn.handler(event, lambdaContext(fn))) as APIGatewayProxyStructuredResultV2;
      const outHeaders: Record<string, string | string[]> = { ...(out.headers as Record<string, string>) };
      if (out.cookies?.length) outHeaders['set-cookie'] = out.cookies;
      res.writeHead(out.statusCode ?? 200, outHeaders);
      res.end(method === 'HEAD' ? undefined : out.body ?? '');
    })().catch((e: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`page function failed: ${e instanceof Error ? e.message : String(e)}`);
    });
  });
  return {
    url: listening.url,
    setFunction: (f) => {
      fn = f;
    },
    close: () => listening.close(),
  };
}

/** An approver's page as their browser holds it: what it said, and its form ready to submit (absent when it shows no form). */
export interface OpenedPage {
  readonly status: number;
  readonly message: string;
  submit?(decision: 'approve' | 'reject', comment?: string): Promise<{ status: number; message: string }>;
}

/** What an approver's browser does on opening the link (GET): keeps the page's form and the cookie it set. */
export async function openAsPerson(link: string): Promise<OpenedPage> {
  const shown = await fetch(link, { redirect: 'manual' });
  const html = await shown.text();
  const fields = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([a-z]+)" value="([^"]*)">/g)) fields.set(m[1]!, unescapeHtml(m[2]!));
  const opened = { status: shown.status, message: pageMessage(html) };
  if (shown.status !== 200 || !fields.has('csrf')) return opened;
  const cookie = (shown.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
  // An acknowledgement's page has one button: a person who says yes to it acknowledges.
  const acknowledges = html.includes('name="decision" value="acknowledge"');
  return {
    ...opened,
    async submit(decision, comment = '') {
      const body = new URLSearchParams(fields);
      body.set('decision', acknowledges && decision === 'approve' ? 'acknowledge' : decision);
      if (comment) body.set('comment', comment);
      // What a browser sends for the page's own form: its type, and (Referrer-Policy no-referrer) Origin null, same-origin.
      const posted = await fetch(link, {
        method: 'POST', body: body.toString(), redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: 'null', 'sec-fetch-site': 'same-origin' },
      });
      return { status: posted.status, message: pageMessage(await posted.text()) };
    },
  };
}

/** What an approver's browser does: open the link (GET), then submit the page's form (POST). */
export async function decideAsPerson(link: string, decision: 'approve' | 'reject', comment = ''): Promise<{ status: number; message: string }> {
  const page = await openAsPerson(link);
  return page.submit ? page.submit(decision, comment) : { status: page.status, message: page.message };
}

/** What an email security scanner does with every link in a message: GET and HEAD, no cookies, no forms. */
export async function prefetchAsScanner(link: string): Promise<number[]> {
  const get = await fetch(link, { redirect: 'manual' });
  await get.text();
  const head = await fetch(link, { method: 'HEAD', redirect: 'manual' });
  return [get.status, head.status];
}

export function unescapeHtml(text: string): string {
  return text.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)));
}

export function pageMessage(html: string): string {
  const m = /<p id="message">([^<]*)<\/p>/.exec(html) ?? /<h1[^>]*>([^<]*)<\/h1>/.exec(html);
  return unescapeHtml(m?.[1] ?? '');
}
