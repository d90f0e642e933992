import {
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { APP_CONFIG, type ApiRole, type AppConfig } from '@credits/config';
import { ACCESS, type Access } from './access.decorator';

export interface Caller {
  readonly role: ApiRole;
}

/**
 * Every route needs `Authorization: Bearer <key>` unless marked public. A key is known when its
 * SHA-256 is in API_KEYS; its role then decides. A route without a declared access is ops-only.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys: { role: ApiRole; hash: Buffer }[];

  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.keys = config.quota.apiKeys.map((key) => ({
      role: key.role,
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
    const request = context.switchToHttp().getRequest<Request & { caller?: Caller }>();
    const role = this.roleOf(request.headers.authorization);
    if (role === null)
      throw new UnauthorizedException({
        error: 'unauthorized',
        details: ['send Authorization: Bearer <key> with a key this service knows'],
      });
    if (role !== 'ops' && !access.includes(role))
      throw new ForbiddenException({
        error: 'forbidden',
        details: [
          `the ${role} role may not ${request.method} ${request.route?.path ?? request.path}`,
        ],
      });
    request.caller = { role };
    return true;
  }

  private roleOf(header: string | undefined): ApiRole | null {
    const key = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
    if (!key) return null;
    const hash = createHash('sha256').update(key).digest();
    return this.keys.find((known) => timingSafeEqual(known.hash, hash))?.role ?? null;
  }
}
