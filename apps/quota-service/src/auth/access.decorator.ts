import { SetMetadata } from '@nestjs/common';
import type { ApiRole } from '@credits/config';

export const ACCESS = Symbol('ACCESS');

/** Who may call a route: `public` needs no key; otherwise these roles, and ops always. */
export type Access = 'public' | readonly ApiRole[];

export const Allow = (...roles: ApiRole[]) => SetMetadata(ACCESS, roles);
export const Public = () => SetMetadata(ACCESS, 'public');
