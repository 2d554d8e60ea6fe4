import { problemResponse } from './problem-response.ts';

/** A request body read as JSON, or the 400 problem+json (`MALFORMED_JSON`) to answer with. */
export type JsonBody = { ok: true; value: unknown } | { ok: false; response: Response };

/**
 * Reads a request's body as JSON. Text that is not JSON is the caller's mistake (400,
 * `fix_request`); any other failure (the body stream breaking) is thrown as it is.
 */
export async function readJsonBody(c: { req: { text(): Promise<string> } }): Promise<JsonBody> {
  const text = await c.req.text();
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return {
      ok: false,
      response: problemResponse(400, 'MALFORMED_JSON', 'The body is not JSON', {
        kind: 'fix_request',
        // Not the parser's message: it names the runtime's parser and echoes the caller's bytes.
        detail: 'the body is not valid JSON',
      }),
    };
  }
}
