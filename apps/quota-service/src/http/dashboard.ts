import { existsSync } from 'node:fs';
import path from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

/** Where `npm run build` puts the dashboard (apps/dashboard, built by Vite). */
export const DASHBOARD_DIR = path.resolve(__dirname, '../../../../dashboard');

/**
 * The dashboard's files at /dashboard/. They hold no data and need no key: every request the
 * page makes for data goes to the API with the key the user signs in with. Not built: /dashboard
 * says so.
 */
export function serveDashboard(app: NestExpressApplication): void {
  const built = existsSync(path.join(DASHBOARD_DIR, 'index.html'));
  app.use('/dashboard', (request: Request, response: Response, next: NextFunction) => {
    if (!built)
      return response
        .status(404)
        .json({ error: 'not_found', details: ['the dashboard is not built: run npm run build'] });
    if (request.originalUrl === '/dashboard') return response.redirect(301, '/dashboard/');
    next();
  });
  if (built)
    app.useStaticAssets(DASHBOARD_DIR, {
      prefix: '/dashboard/',
      index: 'index.html',
      // Vite names assets by their hash: they never change under one name.
      setHeaders: (response, file) => {
        if (file.includes(`${path.sep}assets${path.sep}`))
          response.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      },
    });
}
