/**
 * Bearer-token auth. Off when no tokens are configured. Each route needs a role: `read` for GET/HEAD
 * (and for POSTs that only read, marked with `config: { role: 'read' }`), `write` for the rest;
 * `admin` can do everything. Health endpoints are always open.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthToken, Role } from '../core/config.js';
import { SlipwayError } from '../core/errors.js';

const RANK: Record<Role, number> = { read: 1, write: 2, admin: 3 };
// Probes carry no tokens: the control plane's and the serving protocols' own (KServe V2, TorchServe).
const OPEN_PATHS = new Set([
  '/healthz',
  '/readyz',
  '/health',
  '/version',
  '/v2/health/live',
  '/v2/health/ready',
  '/ping',
]);

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role a route needs; defaults by method. `none` opens the route. */
    role?: Role | 'none';
  }
}

function requiredRole(req: FastifyRequest): Role | 'none' {
  const declared = req.routeOptions.config?.role;
  if (declared) return declared;
  return req.method === 'GET' || req.method === 'HEAD' ? 'read' : 'write';
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function installAuth(app: FastifyInstance, tokens: readonly AuthToken[]): void {
  if (tokens.length === 0) return;
  app.addHook('onRequest', async (req) => {
    if (OPEN_PATHS.has(req.url.split('?')[0])) return;
    const need = requiredRole(req);
    if (need === 'none') return;
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m)
      throw new SlipwayError(
        'UNAUTHENTICATED',
        'Authentication required: send Authorization: Bearer <token>',
      );
    const held = tokens.find((t) => sameSecret(t.token, m[1].trim()));
    if (!held) throw new SlipwayError('UNAUTHENTICATED', 'Invalid token');
    if (RANK[held.role] < RANK[need])
      throw new SlipwayError(
        'PERMISSION_DENIED',
        `Permission denied: this needs the '${need}' role, the token has '${held.role}'`,
      );
  });
}
