import { Hono } from 'hono';
import { PROBLEM_CONTENT_TYPE, type Problem, problem } from '#protocol';

export interface AppDeps {
  clock: () => Date;
  version: string;
  /** Where unexpected errors go; never to the client. Defaults to a JSON line on stderr. */
  reportError?: (error: unknown) => void;
}

function reportToStderr(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error ? error.stack : undefined;
  console.error(JSON.stringify({ level: 'error', msg: 'unhandled error', error: message, stack }));
}

function problemResponse(body: Problem): Response {
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: { 'Content-Type': PROBLEM_CONTENT_TYPE },
  });
}

/**
 * Builds the cloud's HTTP app from injected parts; only `main.ts` touches the network and disk.
 *
 * @example
 * const app = createApp({ clock: () => new Date(), version: '0.1.0' });
 * const res = await app.request('/healthz');
 */
export function createApp(deps: AppDeps): Hono {
  const reportError = deps.reportError ?? reportToStderr;
  const app = new Hono();

  app.get('/healthz', (c) =>
    c.json({ status: 'ok', version: deps.version, time: deps.clock().toISOString() }),
  );

  app.notFound((c) =>
    problemResponse(
      problem(404, 'NOT_FOUND', 'Not Found', {
        kind: 'stop',
        detail: `No route for ${c.req.method} ${c.req.path}`,
      }),
    ),
  );

  app.onError((error) => {
    reportError(error);
    return problemResponse(
      problem(500, 'INTERNAL', 'Internal Server Error', {
        kind: 'back_off',
        detail: 'The server failed to handle the request; retry later.',
      }),
    );
  });

  return app;
}
