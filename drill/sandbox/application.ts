import type { WireRequest, WireResponse } from './model';
import type { AccountState } from './state';

/**
 * The application's kill-switch endpoints (seed 000 "Fan-out kill switch": POST
 * /portfolio/kill_switch and /workloads/halt), served on the sandbox's loopback port to requests
 * that carry no SigV4 signature. Each takes a bearer token (the configured secret's value) and
 * halts what it names; a second POST finds it halted and answers 200 again, changing nothing (the
 * fan-out is idempotent, so a retry or a redrive makes nothing worse). A missing or wrong token is
 * 401; a scenario may make an endpoint answer a status of its choosing (`failWith`), changing
 * nothing. Every POST is recorded with its time, whether it was authorized and the answer, never
 * the token. Not modelled: the operator UI, the session cookie the topbar uses, what the halt
 * stops inside the application.
 */
const json = (status: number, body: Record<string, unknown>): WireResponse =>
  ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Whether the application serves this path (unsigned requests only reach it). */
export const servesPath = (state: AccountState, path: string): boolean => state.application?.endpoints[path] !== undefined;

export function applicationRequest(state: AccountState, req: WireRequest, now: Date): WireResponse {
  const endpoint = state.application?.endpoints[req.path];
  if (!state.application || !endpoint) return json(404, { detail: 'Not Found' });
  if (req.method !== 'POST') return json(405, { detail: 'Method Not Allowed' });
  const header = req.headers.authorization;
  const authorized = typeof header === 'string' && header === `Bearer ${state.application.token}`;
  const answer = (status: number, body: Record<string, unknown>) => {
    endpoint.posts.push({ at: now.toISOString(), authorized, status });
    return json(status, body);
  };
  if (!authorized) return answer(401, { detail: 'Not authenticated' });
  if (endpoint.failWith !== undefined) return answer(endpoint.failWith, { detail: 'Service Unavailable' });
  const already = endpoint.halted;
  endpoint.halted = true;
  return answer(200, { status: 'halted', alreadyHalted: already });
}
