import {
  applyDecorators,
  CanActivate,
  ExecutionContext,
  Injectable,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { InjectShopConfig, ShopConfig } from '@shop/config';

function tokenDigest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Constant-time comparison of two secrets of any length (hashing evens out the lengths). The
 * expected side may be given as its digest, computed once.
 */
export function tokensMatch(presented: string, expected: string | Buffer): boolean {
  const expectedDigest = typeof expected === 'string' ? tokenDigest(expected) : expected;
  return timingSafeEqual(tokenDigest(presented), expectedDigest);
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expectedDigest: Buffer;

  constructor(@InjectShopConfig() config: ShopConfig) {
    this.expectedDigest = tokenDigest(config.ADMIN_TOKEN);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const token = bearerToken(request.headers.authorization);
    if (!token) throw new UnauthorizedException('A bearer token is required');
    if (!tokensMatch(token, this.expectedDigest)) {
      throw new UnauthorizedException('The bearer token is not valid');
    }
    return true;
  }
}

/** Marks a route or controller as admin-only (bearer `ADMIN_TOKEN`). */
export const AdminOnly = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    UseGuards(AdminTokenGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'Missing or wrong bearer token' }),
  );
