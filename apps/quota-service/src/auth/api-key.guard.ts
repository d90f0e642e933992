import {
  createParamDecorator,
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, type ApiRole, type AppConfig } from '@credits/config';
import { ACCESS, type Access } from './access.decorator';

export interface Caller {
  readonly role: ApiRole;
  /** The key's id from API_KEYS (never the key or its hash): who published, on the ledger. */
  readonly keyId: string;
}

/**
 * Every route needs `Authorization: Bearer <key>` unless marked public. A key is known when its
 * SHA-256 is in API_KEYS; its role then decides. A route without a declared access is ops-only.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys: { role: ApiRole; keyId: string; hash: Buffer }[];

  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.keys = config.quota.apiKeys.map((key) => ({
      role: key.role,
      keyId: key.id,
      hash: Buffer.from(key.sha256, 'hex'),
    }));
  }

  canActivate(context: ExecutionContext): boolean {
    const access =
      this.reflector.getAllAndOverride<Access | undefined>(ACCESS, [
        context.getHandler(),
        context.getClass(),
      ]) ?? [];
    if (access === 'public') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { caller?: Caller }>();
    const caller = this.callerOf(request.headers.authorization);
    if (caller === null)
      throw new UnauthorizedException({
        error: 'unauthorized',
        details: ['send Authorization: Bearer <key> with a key this service knows'],
      });
    const { role } = caller;
    if (role !== 'ops' && !access.includes(role))
      throw new ForbiddenException({
        error: 'forbidden',
        details: [
          `the ${role} role may not ${request.method} ${request.routeOptions.url ?? request.url}`,
        ],
      });
    request.caller = caller;
    return true;
  }

  private callerOf(header: string | undefined): Caller | null {
    const key = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
    if (!key) return null;
    const hash = createHash('sha256').update(key).digest();
    const known = this.keys.find((candidate) => timingSafeEqual(candidate.hash, hash));
    return known ? { role: known.role, keyId: known.keyId } : null;
  }
}

/** The caller the guard let in, for a route's handler. */
export const CurrentCaller = createParamDecorator(
  (_: unknown, context: ExecutionContext): Caller =>
    context.switchToHttp().getRequest<{ caller: Caller }>().caller,
);
