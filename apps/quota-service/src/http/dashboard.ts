import { existsSync } from 'node:fs';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyStatic from '@fastify/static';

/** Where `npm run build` puts the dashboard (apps/dashboard, built by Vite). */
export const DASHBOARD_DIR = path.resolve(__dirname, '../../../../dashboard');

const NOT_BUILT = {
  error: 'not_found',
  details: ['the dashboard is not built: run npm run build'],
} as const;

/**
 * The dashboard's files at /dashboard/. They hold no data and need no key: every request the
 * page makes for data goes to the API with the key the user signs in with. Not built: /dashboard
 * says so.
 */
export function serveDashboard(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  if (!existsSync(path.join(DASHBOARD_DIR, 'index.html'))) {
    for (const url of ['/dashboard', '/dashboard/*'])
      fastify.get(url, (_request, reply) => reply.code(404).send(NOT_BUILT));
    return;
  }
  // Registered directly, not by Nest's useStaticAssets, whose types predate @fastify/static 10's
  // (setHeaders is handed the reply).
  void fastify.register(fastifyStatic, {
    root: DASHBOARD_DIR,
    prefix: '/dashboard',
    index: 'index.html',
    // /dashboard answers with a redirect to /dashboard/, where the page's relative paths work.
    redirect: true,
    // Vite names assets by their hash: they never change under one name.
    setHeaders: (reply, file) => {
      if (file.includes(`${path.sep}assets${path.sep}`))
        void reply.header('Cache-Control', 'public, max-age=31536000, immutable');
    },
  });
}
