import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Public } from '../../identity/auth/public.decorator.js';
import { UuidParam } from '../../platform/http/validation/validation.pipe.js';

/**
 * The static files live in <projectRoot>/src/oversight/review/viewer. This file runs from src/oversight/review
 * (tests) or dist/oversight/review (after tsc, which copies no assets); both are three levels below the root.
 */
export const VIEWER_DIR = path.resolve(__dirname, '..', '..', '..', 'src', 'oversight', 'review', 'viewer');

/** The only files served, with their content types; any other name is a 404. */
const ASSETS: Readonly<Record<string, string>> = {
  'viewer.css': 'text/css; charset=utf-8',
  'workspace.css': 'text/css; charset=utf-8',
  'viewer.js': 'text/javascript; charset=utf-8',
  'api.js': 'text/javascript; charset=utf-8',
  'dom.js': 'text/javascript; charset=utf-8',
  'search.js': 'text/javascript; charset=utf-8',
  'session.js': 'text/javascript; charset=utf-8',
  'events.js': 'text/javascript; charset=utf-8',
  'live.js': 'text/javascript; charset=utf-8',
  'router.js': 'text/javascript; charset=utf-8',
  'header.js': 'text/javascript; charset=utf-8',
  'steps.js': 'text/javascript; charset=utf-8',
  'annotations.js': 'text/javascript; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

export const VIEWER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The transcript viewer for support reviewers: a static page that signs in with a bearer token itself. */
@ApiExcludeController()
@Public()
@Controller('review')
export class ViewerController {
  @Get()
  async index(@Res() res: Response): Promise<void> {
    await send(res, 'index.html', 'text/html; charset=utf-8');
  }

  /** A conversation's own address (and #seq-N an event's): the same page, which reads the address. */
  @Get('sessions/:id')
  async session(@Param('id', UuidParam) _id: string, @Res() res: Response): Promise<void> {
    await send(res, 'index.html', 'text/html; charset=utf-8');
  }

  @Get('assets/:file')
  async asset(@Param('file') file: string, @Res() res: Response): Promise<void> {
    const type = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
    if (!type) throw new NotFoundException(`no viewer asset named ${JSON.stringify(file.slice(0, 64))}`);
    await send(res, file, type);
  }
}

async function send(res: Response, file: string, contentType: string): Promise<void> {
  const body = await readFile(path.join(VIEWER_DIR, file));
  res.status(200);
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Security-Policy', VIEWER_CSP);
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.send(body);
}
